import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../infra/local/free-port.ts';

/**
 * Starts the real local server (`infra/local/main.ts`, what `npm start` runs) as a child
 * process on the shared DynamoDB Local, with its own tables, data folder and port, and waits
 * until discovery answers — the readiness rule of the `npm start` contract.
 */
export interface LocalServer {
  readonly baseUrl: string;
  readonly port: number;
  readonly issuer: string;
  readonly dataDir: string;
  readonly mtlsUrl: string | undefined;
  /** Process id of the server, which is also its process group id. */
  readonly pid: number;
  output(): string;
  /** SIGTERM to the group; `killed` if it had to be SIGKILLed after 6 s. */
  stop(): Promise<'exited' | 'killed'>;
}

export interface LocalServerOptions {
  /** A tenant document (written as YAML) or a path to a tenant file. */
  readonly tenant?: Record<string, unknown> | string;
  readonly issuer?: string;
  readonly mtls?: { cert: string; key: string; truststore: string };
  readonly env?: Record<string, string>;
  readonly args?: readonly string[];
  /** Keep data between runs (no --in-memory); pass the same dataDir to restart. */
  readonly persistent?: { dataDir: string };
}

const root = new URL('../../', import.meta.url).pathname;

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const port = await freePort();
  const dataDir = options.persistent?.dataDir ?? (await mkdtemp(join(tmpdir(), 'portcullis-test-')));
  const issuer = options.issuer ?? `http://localhost:${port}/`;
  const args = ['--import', 'tsx', 'infra/local/main.ts', '--port', String(port), '--issuer', issuer, '--data-dir', dataDir];
  if (!options.persistent) args.push('--in-memory');
  if (options.tenant !== undefined) {
    const file = typeof options.tenant === 'string' ? options.tenant : join(dataDir, `tenant-${randomBytes(4).toString('hex')}.yaml`);
    if (typeof options.tenant !== 'string') await writeFile(file, stringify(options.tenant));
    args.push('--tenant', file);
  }
  let mtlsPort: number | undefined;
  if (options.mtls) {
    mtlsPort = await freePort();
    args.push('--mtls-port', String(mtlsPort), '--tls-cert', options.mtls.cert, '--tls-key', options.mtls.key, '--mtls-truststore', options.mtls.truststore);
  }
  args.push(...(options.args ?? []));
  const child = spawn(process.execPath, args, {
    cwd: root,
    // A restart on a persistent data folder must find its own tables again.
    env: { ...process.env, PORTCULLIS_TABLE_PREFIX: options.persistent ? 'portcullis' : `s${randomBytes(6).toString('hex')}`, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitReady(baseUrl, child, () => output);
  return {
    baseUrl,
    port,
    issuer,
    dataDir,
    mtlsUrl: mtlsPort ? `https://127.0.0.1:${mtlsPort}` : undefined,
    pid: child.pid!,
    output: () => output,
    stop: async () => {
      const how = await stopChild(child);
      if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
      return how;
    },
  };
}

async function waitReady(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`local server exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${baseUrl}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  await stopChild(child);
  throw new Error(`local server not ready after 60 s:\n${output()}`);
}

function stopChild(child: ChildProcess): Promise<'exited' | 'killed'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve('exited');
  return new Promise((resolve) => {
    let killed = false;
    const force = setTimeout(() => {
      killed = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, 6_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve(killed ? 'killed' : 'exited');
    });
    process.kill(-child.pid!, 'SIGTERM');
  });
}
