import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { sha256Base64Url } from '../../../shared/crypto/digest.ts';
import { ddb } from '../../../shared/store/ddb.ts';
import { codeDefaults, issuePasswordlessCode, newCode, verifyPasswordlessCode } from '../../../shared/store/passwordless-codes.ts';
import { useLocalTables } from '../../support/local-tables.ts';
import { useSecretsKeyFile } from '../../support/secrets-key-file.ts';

/**
 * Passwordless codes on DynamoDB Local (reference §3.7, §7.1): stored only as a keyed
 * digest, only the latest is valid, bound to its client, three wrong attempts kill it,
 * expiry by `expiresAt` even before TTL deletes, and one winner among concurrent right answers.
 */
describe('passwordless codes (DynamoDB Local)', () => {
  let codesTable: string;
  before(async () => {
    // The code MAC key comes from the local secrets key file; the signing keyset is not needed.
    await useSecretsKeyFile();
    codesTable = (await useLocalTables()).codes!;
  });
  let n = 0;
  const identity = () => ({ connection: 'email', identifier: `user${++n}-${Date.now()}@example.com`, clientId: 'app' });
  const issue = (id: ReturnType<typeof identity>, extra: { now?: number; lifetimeSeconds?: number; length?: number } = {}) =>
    issuePasswordlessCode({ ...id, lifetimeSeconds: extra.lifetimeSeconds ?? 180, length: extra.length ?? 6, ...(extra.now !== undefined ? { now: extra.now } : {}) });
  const verify = (id: ReturnType<typeof identity>, code: string, extra: { now?: number; clientId?: string } = {}) =>
    verifyPasswordlessCode({ ...id, ...(extra.clientId ? { clientId: extra.clientId } : {}), code, ...(extra.now !== undefined ? { now: extra.now } : {}) });
  const wrongFor = (code: string) => (code === '000000' ? '000001' : '000000');
  const scan = async () => (await ddb().send(new ScanCommand({ TableName: codesTable, ConsistentRead: true }))).Items ?? [];

  test('newCode: the requested number of decimal digits, leading zeros kept, not constant', () => {
    const codes = Array.from({ length: 200 }, () => newCode(6));
    for (const code of codes) assert.match(code, /^\d{6}$/);
    assert.ok(new Set(codes).size > 150, 'codes vary');
    assert.ok(codes.some((c) => c.startsWith('0')), 'a leading zero appears in 200 codes (p of none ≈ 7e-10)');
    assert.match(newCode(8), /^\d{8}$/);
  });

  test('the code redeems once; the table holds neither the code nor the address', async () => {
    const id = identity();
    const code = await issue(id);
    const items = JSON.stringify(await scan());
    assert.equal(items.includes(id.identifier), false, 'no address in the table');
    const item = (await scan()).find((i) => i.kind === 'passwordless' && i.client_id === 'app' && JSON.stringify(i).includes('"attempts":0'));
    assert.ok(item, 'an item with its attempts');
    assert.equal(String(item.digest).includes(code), false);
    assert.deepEqual(await verify(id, code), { ok: true });
    assert.deepEqual(await verify(id, code), { ok: false, reason: 'gone' });
  });

  test('the digest is an m1 HMAC; a code digested under one MAC key does not verify under another (the macKey option)', async () => {
    const id = identity();
    const keyA = randomBytes(32);
    const keyB = randomBytes(32);
    const code = await issuePasswordlessCode({ ...id, lifetimeSeconds: 180, length: 6 }, { macKey: keyA });
    const item = (await scan()).find((i) => i.pk === `pwdless#${sha256Base64Url(`${id.connection}\n${id.identifier}`)}`);
    assert.match(String(item?.digest), /^m1\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await verifyPasswordlessCode({ ...id, code }, { macKey: keyB }), { ok: false, reason: 'wrong' });
    // Nor under the configured key (derived from the secrets key file).
    assert.deepEqual(await verifyPasswordlessCode({ ...id, code }), { ok: false, reason: 'wrong' });
    assert.deepEqual(await verifyPasswordlessCode({ ...id, code }, { macKey: keyA }), { ok: true });
  });

  test('only the latest code is valid', async () => {
    const id = identity();
    const first = await issue(id);
    let second = await issue(id);
    while (second === first) second = await issue(id);
    assert.deepEqual(await verify(id, first), { ok: false, reason: 'wrong' });
    assert.deepEqual(await verify(id, second), { ok: true });
  });

  test('three wrong attempts kill the code: the right one is then refused', async () => {
    const id = identity();
    const code = await issue(id);
    for (let i = 0; i < codeDefaults.maxAttempts; i++) assert.deepEqual(await verify(id, wrongFor(code)), { ok: false, reason: 'wrong' });
    assert.deepEqual(await verify(id, code), { ok: false, reason: 'gone' });
  });

  test('two wrong attempts leave the code usable; a new code starts with a fresh count', async () => {
    const id = identity();
    const code = await issue(id);
    await verify(id, wrongFor(code));
    await verify(id, wrongFor(code));
    assert.deepEqual(await verify(id, code), { ok: true });
    const again = await issue(id);
    await verify(id, wrongFor(again));
    await verify(id, wrongFor(again));
    const latest = await issue(id);
    await verify(id, wrongFor(latest));
    await verify(id, wrongFor(latest));
    assert.deepEqual(await verify(id, latest), { ok: true });
  });

  test('expiry by expiresAt: valid just before, gone at the second it expires (TTL has not run)', async () => {
    const id = identity();
    const issuedAt = Date.parse('2026-05-01T00:00:00Z');
    const code = await issue(id, { now: issuedAt, lifetimeSeconds: 180 });
    assert.deepEqual(await verify(id, code, { now: issuedAt + 180_000 }), { ok: false, reason: 'gone' });
    assert.deepEqual(await verify(id, wrongFor(code), { now: issuedAt + 180_000 }), { ok: false, reason: 'gone' }, 'no attempt counted on an expired code');
    assert.deepEqual(await verify(id, code, { now: issuedAt + 179_000 }), { ok: true });
  });

  test('a code sent for one client does not log in to another, and that try does not count', async () => {
    const id = identity();
    const code = await issue(id);
    assert.deepEqual(await verify(id, code, { clientId: 'other-app' }), { ok: false, reason: 'gone' });
    assert.deepEqual(await verify(id, code), { ok: true });
  });

  test('identities and connections do not mix', async () => {
    const id = identity();
    const code = await issue(id);
    assert.deepEqual(await verify({ ...id, connection: 'sms' }, code), { ok: false, reason: 'gone' });
    assert.deepEqual(await verify({ ...id, identifier: `x${id.identifier}` }, code), { ok: false, reason: 'gone' });
    assert.deepEqual(await verify(id, code), { ok: true });
  });

  test('malformed and oversized guesses are wrong answers, never errors', async () => {
    const id = identity();
    const code = await issue(id);
    assert.deepEqual(await verify(id, ''), { ok: false, reason: 'wrong' });
    assert.deepEqual(await verify(id, '9'.repeat(100_000)), { ok: false, reason: 'wrong' });
    assert.deepEqual(await verify(id, code), { ok: true });
  });

  test('of 10 concurrent right answers exactly one wins', async () => {
    const id = identity();
    const code = await issue(id);
    const results = await Promise.all(Array.from({ length: 10 }, () => verify(id, code)));
    assert.equal(results.filter((r) => r.ok).length, 1);
    assert.ok(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'gone'));
  });

  test('concurrent wrong answers never count past the limit, and a right answer after them fails', async () => {
    const id = identity();
    const code = await issue(id);
    const results = await Promise.all(Array.from({ length: 8 }, () => verify(id, wrongFor(code))));
    assert.ok(results.every((r) => !r.ok));
    assert.ok(results.filter((r) => !r.ok && r.reason === 'wrong').length <= codeDefaults.maxAttempts);
    assert.deepEqual(await verify(id, code), { ok: false, reason: 'gone' });
  });
});
