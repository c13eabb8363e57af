import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { freePort } from './free-port.ts';

/**
 * DynamoDB Local, AWS's own emulator, run as a child process on Java: the jar ships inside
 * the npm package `amplify-dynamodb-simulator` (no Docker, no download at run time;
 * aws-notes §6). In memory, or persisted under `<data dir>/dynamodb`.
 */
export interface RunningDynamoDb {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export class JavaMissing extends Error {
  constructor() {
    super('Java 17 or newer is needed to run the local database (DynamoDB Local): install a JDK or JRE (e.g. `apt-get install openjdk-17-jre-headless`) and try again.');
  }
}

export function emulatorDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

export async function startDynamoDbLocal(options: { inMemory: boolean; dataDir: string }): Promise<RunningDynamoDb> {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) throw new JavaMissing();
  const version = /version "(\d+)/.exec(`${java.stderr}${java.stdout}`)?.[1];
  if (version && Number(version) < 17) throw new JavaMissing();

  const dir = emulatorDir();
  const port = await freePort();
  const storage = options.inMemory ? ['-inMemory'] : ['-dbPath', resolve(options.dataDir, 'dynamodb')];
  if (!options.inMemory) await mkdir(resolve(options.dataDir, 'dynamodb'), { recursive: true });
  if (!existsSync(join(dir, 'DynamoDBLocal.jar'))) throw new Error(`DynamoDB Local jar not found in ${dir}: run npm install`);
  const child = spawn(
    'java',
    ['-Xms64m', '-Xmx512m', `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-jar', join(dir, 'DynamoDBLocal.jar'), '-port', String(port), '-sharedDb', ...storage],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  // If we die without cleaning up, do not leave the JVM behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilUp(endpoint, child, () => stderr);
  return {
    endpoint,
    stop: () => stopChild(child).finally(() => process.off('exit', killOnExit)),
  };
}

async function waitUntilUp(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr()}`);
    try {
      // Any HTTP answer means the emulator is listening.
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(500) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`DynamoDB Local did not start within 30 s: ${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 2_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
