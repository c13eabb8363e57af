import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/**
 * Headless Chromium for the browser end-to-end tests: Debian's `chromium` driven by
 * playwright-core (no downloaded browser build). One browser per test file, a fresh context
 * (cookies, storage) per test, and every one of them closed whatever happens.
 *
 * Without a browser, a developer's `npm test` still runs: each browser test file says so
 * on stderr and its tests are skipped with the reason. CI sets PORTCULLIS_REQUIRE_BROWSER=1
 * (.ci/run), and then a missing browser is a failure, never a silent skip.
 */
export const requireBrowserVariable = 'PORTCULLIS_REQUIRE_BROWSER';

/** PORTCULLIS_CHROMIUM, else /usr/bin/chromium, else `chromium` on the PATH. */
export function findChromium(): string | undefined {
  const configured = process.env.PORTCULLIS_CHROMIUM;
  if (configured) return existsSync(configured) ? configured : undefined;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  try {
    const found = execFileSync('which', ['chromium'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return found && existsSync(found) ? found : undefined;
  } catch {
    return undefined;
  }
}

const browserRequired = () => process.env[requireBrowserVariable] === '1';

function missingBrowserMessage(): string {
  const where = process.env.PORTCULLIS_CHROMIUM ? `PORTCULLIS_CHROMIUM=${process.env.PORTCULLIS_CHROMIUM} does not exist` : 'no /usr/bin/chromium and no chromium on the PATH';
  return `headless Chromium not found (${where}); install Debian's chromium (apt-get install chromium) or set PORTCULLIS_CHROMIUM`;
}

/**
 * The skip reason for each test of a browser test file, or undefined when the tests can run
 * (or must run: under PORTCULLIS_REQUIRE_BROWSER=1 the launch then fails loudly instead).
 * Prints one stderr line per file that cannot run, so a skip is never silent.
 */
export function browserSkipReason(testFile: string): string | undefined {
  if (findChromium() || browserRequired()) return undefined;
  const reason = missingBrowserMessage();
  process.stderr.write(`\n*** BROWSER TESTS NOT RUN: ${testFile.split('/').slice(-2).join('/')}: ${reason} ***\n\n`);
  return reason;
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) {
    throw new Error(`${missingBrowserMessage()}${browserRequired() ? ` (${requireBrowserVariable}=1: a missing browser is a failure)` : ''}`);
  }
  // --no-sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
}

export interface BrowserHandle {
  /** A fresh context (own cookies and storage) and page; closed after `use` whatever happens. */
  withPage<T>(use: (page: Page, context: BrowserContext) => Promise<T>, options?: BrowserContextOptions): Promise<T>;
}

/**
 * Registers before/after hooks in the current describe: one Chromium for the file (none
 * when the file's tests are skipped for want of a browser).
 */
export function useBrowser(skip: string | undefined): BrowserHandle {
  let browser: Browser | undefined;
  before(async () => {
    if (!skip) browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  return {
    async withPage(use, options) {
      if (!browser) throw new Error('the browser did not start (see the before hook)');
      const context = await browser.newContext(options);
      // Generous for a loaded 2-core machine; a wait that runs out is a failure, not a sleep.
      context.setDefaultTimeout(30_000);
      try {
        const page = await context.newPage();
        return await use(page, context);
      } finally {
        await context.close();
      }
    },
  };
}

/** One line of the local outbox (`<data dir>/outbox.jsonl`). */
export interface OutboxMessage {
  readonly to: string;
  readonly template: string;
  readonly link?: string;
  readonly code?: string;
  readonly subject?: string;
}

export async function readOutbox(dataDir: string): Promise<OutboxMessage[]> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'outbox.jsonl'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as OutboxMessage);
}

/** The newest message to `to` that carries a link, waiting for it briefly (the write follows the answer). */
export async function latestLinkFor(dataDir: string, to: string, timeoutMs = 10_000): Promise<OutboxMessage & { link: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await readOutbox(dataDir)).filter((m) => m.to.toLowerCase() === to.toLowerCase() && typeof m.link === 'string').at(-1);
    if (found) return found as OutboxMessage & { link: string };
    if (Date.now() > deadline) throw new Error(`no email with a link to ${to} in ${join(dataDir, 'outbox.jsonl')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
