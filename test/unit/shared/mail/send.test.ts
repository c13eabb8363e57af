import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resetRuntimeConfig } from '../../../../shared/config.ts';
import { sendMail } from '../../../../shared/mail/send.ts';
import { blockedAccountMail, resetPasswordMail } from '../../../../shared/mail/templates.ts';

/** sendMail by configuration: the local outbox (one JSON line per message) or a warning only. */
const baseEnv = {
  ISSUER: 'http://localhost:3000/',
  KEYSET_FILE: '/nonexistent/keyset.json',
  TABLE_CLIENTS: 'c',
  TABLE_USERS: 'u',
  TABLE_CODES: 'k',
  TABLE_RATE_LIMITS: 'r',
  TABLE_SESSIONS: 's',
  TABLE_REFRESH_TOKENS: 't',
  TABLE_AUTHENTICATORS: 'a',
};

/**
 * Runs `fn` with the text written to stdout/stderr captured. Binary chunks (the test runner's
 * own reports to its parent) go through untouched.
 */
async function capture(fn: () => Promise<void>): Promise<string> {
  let out = '';
  const writes = [process.stdout.write, process.stderr.write];
  const grab = (original: typeof process.stdout.write, stream: NodeJS.WriteStream) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof chunk !== 'string') return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      out += chunk;
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = grab(writes[0]!, process.stdout);
  process.stderr.write = grab(writes[1]!, process.stderr);
  try {
    await fn();
  } finally {
    [process.stdout.write, process.stderr.write] = writes as [typeof process.stdout.write, typeof process.stderr.write];
  }
  return out;
}

describe('sendMail', () => {
  let dir: string;
  const saved = { ...process.env };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-mail-'));
  });
  after(async () => {
    process.env = saved;
    resetRuntimeConfig();
    await rm(dir, { recursive: true, force: true });
  });

  test('outbox: one JSON line per message (parent folder created) and one human line on stdout', async () => {
    const file = join(dir, 'nested', 'outbox.jsonl');
    process.env = { ...saved, ...baseEnv, OUTBOX_FILE: file };
    delete process.env.SES_FROM_ADDRESS;
    resetRuntimeConfig();
    const link = 'http://localhost:3000/u/reset-password?ticket=abc';
    const printed = await capture(async () => {
      await sendMail(resetPasswordMail({ to: 'jane@example.com', tenantName: 'Acme', link, ttlHours: 120 }));
      await sendMail({ to: 'joe@example.com', template: 'code', subject: 'Your code', text: 'Code: 123456', code: '123456' });
    });
    const lines = (await readFile(file, 'utf8')).split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(first), ['channel', 'to', 'template', 'subject', 'at', 'link', 'text']);
    assert.equal(first.channel, 'email');
    assert.equal(first.template, 'reset_password');
    assert.equal(first.subject, 'Reset your Acme password');
    assert.equal(first.link, link);
    assert.ok(String(first.text).includes(link));
    assert.match(String(first.at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const second = JSON.parse(lines[1]!) as Record<string, unknown>;
    assert.equal(second.code, '123456');
    assert.equal('link' in second, false);
    assert.match(printed, /^✉ email to jane@example\.com: Reset your Acme password http:\/\/localhost:3000\/u\/reset-password\?ticket=abc$/m);
  });

  test('no transport configured: a warning naming the template, never the address, text or link', async () => {
    process.env = { ...saved, ...baseEnv };
    delete process.env.OUTBOX_FILE;
    delete process.env.SES_FROM_ADDRESS;
    resetRuntimeConfig();
    const printed = await capture(() => sendMail(blockedAccountMail({ to: 'jane@example.com', tenantName: 'Acme', link: 'http://x/u/unblock?ticket=SECRET' })));
    assert.match(printed, /"level":"warn"/);
    assert.match(printed, /blocked_account/);
    assert.doesNotMatch(printed, /SECRET|jane@example\.com/);
  });

  test('templates name the tenant in the subject, with a fallback', () => {
    assert.equal(blockedAccountMail({ to: 'a@b.c', tenantName: 'Acme', link: 'l' }).subject, 'Your Acme account has been blocked');
    assert.equal(resetPasswordMail({ to: 'a@b.c', tenantName: undefined, link: 'l', ttlHours: 120 }).subject, 'Reset your Portcullis password');
  });
});
