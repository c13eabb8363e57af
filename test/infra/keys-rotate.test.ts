import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { projectRoot } from '#infra/project';
import { parseKeysetDocument, publicJwkOf, type KeysetDocument, type KeyStatus } from '#shared/tokens/keyset-document';

const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-keys-rotate-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

interface Run { code: number; stdout: string; stderr: string }

/** `npm run keys:rotate -- …`, as a subprocess on this Node (the repo's Node 24). */
async function keysRotate(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'infra/cli/keys-rotate.ts', ...args], { cwd: projectRoot });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const readKeyset = (): KeysetDocument => parseKeysetDocument(readFileSync(join(dataDir, 'keyset.json'), 'utf8'));
const kidsByStatus = (doc: KeysetDocument, alg: string) =>
  Object.fromEntries(doc.keys.filter((k) => k.alg === alg).map((k) => [k.status, k.kid])) as Partial<Record<KeyStatus, string>>;
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

test('local mode: each run moves next → current → previous and retires the old previous', async () => {
  const first = await keysRotate('--data-dir', dataDir);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(statSync(join(dataDir, 'keyset.json')).mode & 0o777, 0o600, 'the keyset file is private');
  const before = readKeyset();
  const algs = [...new Set(before.keys.map((k) => k.alg))];
  assert.ok(algs.includes('RS256'));

  const second = await keysRotate('--data-dir', dataDir);
  assert.equal(second.code, 0, second.stderr);
  const after = readKeyset();
  for (const alg of algs) {
    const was = kidsByStatus(before, alg);
    const now = kidsByStatus(after, alg);
    assert.ok(was.previous && was.current && was.next, `${alg}: a full keyset`);
    assert.equal(now.previous, was.current, `${alg}: current became previous`);
    assert.equal(now.current, was.next, `${alg}: next became current`);
    assert.ok(now.next && ![was.previous, was.current, was.next].includes(now.next), `${alg}: a fresh next`);
    assert.ok(!after.keys.some((k) => k.kid === was.previous), `${alg}: the old previous is retired`);
  }
  // The report names every kid with its status.
  for (const key of after.keys) assert.match(second.stdout, new RegExp(`${key.alg}\\s+${key.status}\\s+${key.kid}`));
});

test('local mode never prints key material, and public JWKs carry no private members', async () => {
  const run = await keysRotate('--data-dir', dataDir);
  assert.equal(run.code, 0, run.stderr);
  for (const key of readKeyset().keys) {
    const jwk = key.privateJwk as Record<string, unknown>;
    assert.ok(typeof jwk.d === 'string', 'the stored key is private');
    for (const member of privateMembers) {
      if (typeof jwk[member] === 'string') assert.ok(!run.stdout.includes(jwk[member] as string), `${member} of ${key.kid} printed`);
    }
    const pub = publicJwkOf(key.privateJwk) as Record<string, unknown>;
    assert.deepEqual(Object.keys(pub).filter((m) => privateMembers.includes(m)), [], key.kid);
    assert.ok(pub.kty && (pub.n || pub.x), `${key.kid}: the public part remains`);
  }
});

test('errors: exit code 1 and one line', async () => {
  for (const args of [['--bogus'], ['--stack', 'x', '--data-dir', dataDir], ['--region', 'eu-west-1']]) {
    const run = await keysRotate(...args);
    assert.equal(run.code, 1, args.join(' '));
    assert.equal(run.stdout, '');
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /^keys:rotate: /);
  }
});
