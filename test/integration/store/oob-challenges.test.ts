import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { sha256Base64Url } from '../../../shared/crypto/digest.ts';
import { ddb } from '../../../shared/store/ddb.ts';
import { createOobChallenge, redeemOobChallenge, type OobChallenge } from '../../../shared/store/oob-challenges.ts';
import { useLocalTables } from '../../support/local-tables.ts';
import { useSecretsKeyFile } from '../../support/secrets-key-file.ts';

/** MFA OOB challenges on DynamoDB Local: stored by hash with a keyed digest of the binding code, 5 minutes, 3 tries, one winner. */
describe('OOB challenges (DynamoDB Local)', () => {
  let codesTable: string;
  before(async () => {
    // The code MAC key comes from the local secrets key file; the signing keyset is not needed.
    await useSecretsKeyFile();
    codesTable = (await useLocalTables()).codes!;
  });

  const challenge: OobChallenge = { user_id: 'auth0|0123456789abcdef01234567', authenticator_id: 'sms|dev_AAAAAAAAAAAAAAAA', client_id: 'app', channel: 'sms', enrollment: true };
  const userId = challenge.user_id;
  const wrongCode = (code: string) => ((Number(code) + 1) % 1_000_000).toString().padStart(6, '0');

  test('the oob_code is 256 bits, the binding code 6 digits; neither is in the table in clear', async () => {
    const now = 1_767_268_800_000;
    const { oobCode, bindingCode } = await createOobChallenge(challenge, now);
    assert.match(oobCode, /^[A-Za-z0-9_-]{43}$/);
    assert.match(bindingCode, /^[0-9]{6}$/);
    const items = (await ddb().send(new ScanCommand({ TableName: codesTable, ConsistentRead: true }))).Items ?? [];
    const item = items.find((i) => i.pk === `oob#${sha256Base64Url(oobCode)}`);
    assert.ok(item);
    assert.equal(item.expiresAt, now / 1000 + 300);
    assert.equal(item.attempts, 0);
    const all = JSON.stringify(items);
    assert.equal(all.includes(oobCode), false);
    assert.equal(all.includes(`"${bindingCode}"`), false);
    assert.equal(String(item.binding_digest).includes(bindingCode), false);
  });

  test('no binding code: pending; the right one: ok once, with the challenge; then gone', async () => {
    const { oobCode, bindingCode } = await createOobChallenge(challenge);
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode: undefined, clientId: 'app', userId }), { ok: false, reason: 'pending' });
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode: '', clientId: 'app', userId }), { ok: false, reason: 'pending' });
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId }), { ok: true, challenge });
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId }), { ok: false, reason: 'gone' });
  });

  test('another client’s challenge is gone to this one and costs it no attempt', async () => {
    const { oobCode, bindingCode } = await createOobChallenge(challenge);
    for (let i = 0; i < 4; i++) assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode: wrongCode(bindingCode), clientId: 'other', userId }), { ok: false, reason: 'gone' });
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode, clientId: 'other', userId }), { ok: false, reason: 'gone' });
    assert.equal((await redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId })).ok, true);
  });

  test('another user’s challenge is gone to them: neither consumed nor charged an attempt', async () => {
    const { oobCode, bindingCode } = await createOobChallenge(challenge);
    const intruder = 'auth0|fedcba9876543210fedcba98';
    for (let i = 0; i < 4; i++) assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode: wrongCode(bindingCode), clientId: 'app', userId: intruder }), { ok: false, reason: 'gone' });
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId: intruder }), { ok: false, reason: 'gone' });
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode: undefined, clientId: 'app', userId: intruder }), { ok: false, reason: 'gone' });
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId }), { ok: true, challenge });
  });

  test('3 wrong binding codes kill it: the right one afterwards is gone', async () => {
    const { oobCode, bindingCode } = await createOobChallenge(challenge);
    for (const wrong of [wrongCode(bindingCode), 'abc', '1234567']) {
      assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode: wrong, clientId: 'app', userId }), { ok: false, reason: 'wrong' });
    }
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId }), { ok: false, reason: 'gone' });
  });

  test('2 wrong, then right: ok', async () => {
    const { oobCode, bindingCode } = await createOobChallenge(challenge);
    for (let i = 0; i < 2; i++) assert.equal((await redeemOobChallenge({ oobCode, bindingCode: wrongCode(bindingCode), clientId: 'app', userId })).ok, false);
    assert.equal((await redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId })).ok, true);
  });

  test('10 concurrent wrong guesses: at most 3 counted as wrong, the rest gone, and the right code is then refused', async () => {
    const { oobCode, bindingCode } = await createOobChallenge(challenge);
    const results = await Promise.all(Array.from({ length: 10 }, () => redeemOobChallenge({ oobCode, bindingCode: wrongCode(bindingCode), clientId: 'app', userId })));
    assert.ok(results.filter((r) => !r.ok && r.reason === 'wrong').length <= 3);
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId }), { ok: false, reason: 'gone' });
  });

  test('10 concurrent right answers: exactly one winner', async () => {
    const { oobCode, bindingCode } = await createOobChallenge(challenge);
    const results = await Promise.all(Array.from({ length: 10 }, () => redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId })));
    assert.equal(results.filter((r) => r.ok).length, 1);
    assert.ok(results.every((r) => r.ok || r.reason === 'gone'));
  });

  test('expired (TTL not yet run) is gone, at the 300th second', async () => {
    const created = 1_767_268_800_000;
    const { oobCode, bindingCode } = await createOobChallenge(challenge, created);
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId, nowMs: created + 300_000 }), { ok: false, reason: 'gone' });
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode: undefined, clientId: 'app', userId, nowMs: created + 300_000 }), { ok: false, reason: 'gone' });
    assert.equal((await redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId, nowMs: created + 299_000 })).ok, true);
  });

  test('unknown and malformed oob codes are gone without a throw', async () => {
    for (const oobCode of ['', 'x', 'A'.repeat(43), 'A'.repeat(44), '../etc/passwd', '\u0000'.repeat(43)]) {
      assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode: '123456', clientId: 'app', userId }), { ok: false, reason: 'gone' }, oobCode);
    }
  });

  test('the binding digest is an m1 HMAC under the MAC key given (macKey option), and verifies under no other', async () => {
    const key = randomBytes(32);
    const { oobCode, bindingCode } = await createOobChallenge(challenge, Date.now(), { macKey: key });
    const items = (await ddb().send(new ScanCommand({ TableName: codesTable, ConsistentRead: true }))).Items ?? [];
    assert.match(String(items.find((i) => i.pk === `oob#${sha256Base64Url(oobCode)}`)?.binding_digest), /^m1\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId }, { macKey: randomBytes(32) }), { ok: false, reason: 'wrong' });
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId }), { ok: false, reason: 'wrong' }, 'nor under the configured key');
    assert.deepEqual(await redeemOobChallenge({ oobCode, bindingCode, clientId: 'app', userId }, { macKey: key }), { ok: true, challenge });
  });
});
