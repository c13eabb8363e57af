import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startLocalServer } from '../support/local-server.ts';

/**
 * The `npm start` contract (issue 2 §2) beyond what ../shared/tools/contract-smoke checks:
 * data and keys survive a restart, a missing Java or a bad tenant file are one clear
 * message and exit code 1, SIGTERM leaves no DynamoDB Local behind.
 */
const root = new URL('../../', import.meta.url).pathname;
const audience = 'https://api.contract.test/';
const tenant = {
  resourceServers: [{ name: 'API', identifier: audience, scopes: [{ value: 'read' }] }],
  clients: [{ name: 'generated-secret-client', grant_types: ['client_credentials'] }],
  clientGrants: [{ client_id: 'generated-secret-client', audience, scope: ['read'] }],
  connections: [{ name: 'db', strategy: 'auth0' }],
  users: [{ connection: 'db', email: 'someone@example.com', password: 'a long enough password' }],
};

function runMain(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
}

async function kidsOf(baseUrl: string): Promise<string[]> {
  const res = await fetch(`${baseUrl}/.well-known/jwks.json`);
  return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();
}

async function token(baseUrl: string, clientId: string, secret: string): Promise<number> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience });
  return (await fetch(`${baseUrl}/oauth/token`, { method: 'POST', body })).status;
}

describe('npm start contract', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  test('a restart on the same data folder keeps clients, secrets and keys, and its own database stops with it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'portcullis-persist-'));
    dirs.push(dataDir);
    // No shared DYNAMODB_ENDPOINT: the server starts (and must stop) its own DynamoDB Local on disk.
    const first = await startLocalServer({ tenant, persistent: { dataDir }, env: { DYNAMODB_ENDPOINT: '' } });
    const shown = /generated-secret-client: client_id (\S+)\s+client_secret (\S+)/.exec(first.output());
    assert.ok(shown, `the generated secret is shown once:\n${first.output()}`);
    const [, clientId, secret] = shown as unknown as [string, string, string];
    assert.equal(await token(first.baseUrl, clientId, secret), 200);
    const kids = await kidsOf(first.baseUrl);
    await first.stop();
    assert.equal(spawnSync('pgrep', ['-f', `dbPath ${join(dataDir, 'dynamodb')}`]).status, 1, 'DynamoDB Local stopped');

    const second = await startLocalServer({ tenant, persistent: { dataDir }, env: { DYNAMODB_ENDPOINT: '' } });
    try {
      assert.doesNotMatch(second.output(), /client_secret/, 'an existing secret is not regenerated or shown again');
      assert.equal(await token(second.baseUrl, clientId, secret), 200);
      assert.deepEqual(await kidsOf(second.baseUrl), kids);
    } finally {
      await second.stop();
    }
  });

  test('without Java it says what to install and exits 1', () => {
    const result = runMain(['--in-memory', '--port', '0'], { PATH: '/nonexistent', HOME: process.env.HOME });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /Java 17 or newer is needed/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });

  test('an invalid tenant file is refused whole, naming entry and field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-bad-'));
    dirs.push(dir);
    const file = join(dir, 'tenant.yaml');
    await writeFile(file, 'clients:\n  - name: x\n    token_endpoint_auth_method: magic\nclientGrants:\n  - client_id: nobody\n    audience: https://nowhere/\n');
    const result = runMain(['--in-memory', '--port', '0', '--data-dir', dir, '--tenant', file], process.env);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /clients\[0\] "x"\.token_endpoint_auth_method/);
    assert.match(result.stderr, /clientGrants\[0\]\.client_id: names no client/);
  });

  test('an unknown flag prints the usage and exits 2', () => {
    const result = runMain(['--no-such-flag'], process.env);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /usage: npm start --/);
  });

  test('SIGTERM stops the server and the database it started, leaving no process of its group', async () => {
    const server = await startLocalServer({ env: { DYNAMODB_ENDPOINT: '' } });
    const pgid = server.pid;
    assert.notEqual(spawnSync('pgrep', ['-g', String(pgid), '-f', 'DynamoDBLocal']).status, 1, 'it started its own DynamoDB Local');
    // The contract allows 5 s; the harness only resorts to SIGKILL after 6 s, and then says so.
    const how = await server.stop();
    assert.equal(how, 'exited');
    assert.equal(spawnSync('pgrep', ['-g', String(pgid)]).status, 1, 'no process of the group is left');
  });
});
