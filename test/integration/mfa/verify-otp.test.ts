import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { ensureLocalSecretsKey } from '../../../infra/keys/local-secrets-key.ts';
import { OAuthError } from '../../../shared/errors.ts';
import { newTotpSecret, totpCode, totpStep } from '../../../shared/mfa/totp.ts';
import { openTotpSecret, sealTotpSecret, verifyTotp, withMfaAttempt } from '../../../shared/mfa/verify-otp.ts';
import { emptySettings } from '../../../shared/store/tenant-config.ts';
import { getAuthenticator, newAuthenticatorId, putAuthenticator, type AuthenticatorRecord } from '../../../shared/store/authenticators.ts';
import type { TenantConfig } from '../../../shared/tenant/model.ts';
import { useLocalTables } from '../../support/local-tables.ts';

const tenant: TenantConfig = {
  settings: emptySettings,
  clients: new Map(),
  resourceServers: new Map(),
  clientGrants: new Map(),
  connections: new Map(),
  customDomains: new Map(),
};

/** A 6-digit code that is none of the window's codes (a fixed wrong code could, rarely, be right). */
const wrongCode = (secret: string, nowMs: number, seed = 0) => {
  const window = [-1, 0, 1].map((d) => totpCode(secret, totpStep(nowMs) + d));
  for (let n = seed; ; n++) {
    const code = ((n * 7919) % 1_000_000).toString().padStart(6, '0');
    if (!window.includes(code)) return code;
  }
};

const isTooMany = (e: unknown) => {
  assert.ok(e instanceof OAuthError, String(e));
  assert.equal(e.statusCode, 429);
  assert.equal(e.error, 'too_many_attempts');
  assert.equal(e.description, 'Too many failed codes. Wait for some minutes before retrying.');
  assert.match(e.headers['Retry-After'] ?? '', /^[0-9]+$/);
  return true;
};

/** TOTP checks on DynamoDB Local with sealed seeds: ±1 step, no replay, one winner, the failure bucket. */
describe('verifyTotp (DynamoDB Local, local secrets key)', () => {
  before(async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'portcullis-verify-otp-')), 'secrets-key.json');
    await ensureLocalSecretsKey(path);
    await useLocalTables({ SECRETS_KEY_FILE: path });
  });

  let users = 0;
  const newUser = () => `auth0|${(++users).toString(16).padStart(24, 'a')}`;
  async function enrolled(userId: string, active = true): Promise<{ record: AuthenticatorRecord; secret: string }> {
    const secret = newTotpSecret();
    const id = newAuthenticatorId('otp');
    const record: AuthenticatorRecord = { id, user_id: userId, kind: 'otp', active, created_at: new Date().toISOString(), secret_sealed: await sealTotpSecret(userId, id, secret) };
    await putAuthenticator(record);
    return { record, secret };
  }
  const now = 1_767_268_815_000;
  /** An attempt that succeeds: 429 when the bucket is empty, else it changes nothing (spent, then given back). */
  const attemptsLeft = (userId: string, nowMs: number) => withMfaAttempt(tenant, userId, async () => true, { nowMs });

  test('the seed is sealed (l1.), opens for its own record only', async () => {
    const user = newUser();
    const { record, secret } = await enrolled(user);
    assert.match(record.secret_sealed!, /^l1\./);
    assert.equal(record.secret_sealed!.includes(secret), false);
    assert.equal(await openTotpSecret(record), secret);
    await assert.rejects(openTotpSecret({ ...record, user_id: newUser() }));
    await assert.rejects(openTotpSecret({ ...record, id: newAuthenticatorId('otp') }));
  });

  test('±1 step accepted, ±2 refused; the matched step is recorded', async () => {
    const user = newUser();
    const { record, secret } = await enrolled(user);
    const step = totpStep(now);
    // (Skipped in the rare case a ±2 code equals one inside the window.)
    const inWindow = [-1, 0, 1].map((d) => totpCode(secret, step + d));
    for (const far of [step - 2, step + 2]) {
      if (!inWindow.includes(totpCode(secret, far))) assert.equal(await verifyTotp({ tenant, userId: user, candidates: [record], code: totpCode(secret, far), nowMs: now }), undefined);
    }
    assert.equal((await verifyTotp({ tenant, userId: user, candidates: [record], code: totpCode(secret, step - 1), nowMs: now }))?.id, record.id);
    assert.equal((await verifyTotp({ tenant, userId: user, candidates: [record], code: totpCode(secret, step), nowMs: now }))?.id, record.id);
    const spaced = totpCode(secret, step + 1).replace(/^(...)/, '$1 ');
    assert.equal((await verifyTotp({ tenant, userId: user, candidates: [record], code: spaced, nowMs: now }))?.id, record.id, '"123 456" as apps show it');
    assert.equal((await getAuthenticator(user, record.id))?.last_step, step + 1);
  });

  test('replay: the same code is refused the second time, and so is an earlier step after a later one', async () => {
    const user = newUser();
    const { record, secret } = await enrolled(user);
    const step = totpStep(now);
    const code = totpCode(secret, step);
    assert.ok(await verifyTotp({ tenant, userId: user, candidates: [record], code, nowMs: now }));
    assert.equal(await verifyTotp({ tenant, userId: user, candidates: [record], code, nowMs: now + 5_000 }), undefined);
    assert.equal(await verifyTotp({ tenant, userId: user, candidates: [record], code: totpCode(secret, step - 1), nowMs: now }), undefined);
  });

  test('10 concurrent submissions of one right code: exactly one accepted', async () => {
    const user = newUser();
    const { record, secret } = await enrolled(user);
    const code = totpCode(secret, totpStep(now));
    const results = await Promise.all(Array.from({ length: 10 }, () => verifyTotp({ tenant, userId: user, candidates: [record], code, nowMs: now })));
    assert.equal(results.filter(Boolean).length, 1);
  });

  test('another user’s authenticator, non-otp and seedless candidates never match', async () => {
    const owner = newUser();
    const { record, secret } = await enrolled(owner);
    const code = totpCode(secret, totpStep(now));
    const intruder = newUser();
    assert.equal(await verifyTotp({ tenant, userId: intruder, candidates: [record], code, nowMs: now }), undefined);
    assert.equal(await verifyTotp({ tenant, userId: owner, candidates: [{ ...record, kind: 'sms' }], code, nowMs: now }), undefined);
    assert.equal(await verifyTotp({ tenant, userId: owner, candidates: [], code, nowMs: now }), undefined);
    assert.equal((await verifyTotp({ tenant, userId: owner, candidates: [record], code, nowMs: now }))?.id, record.id, 'still unused');
  });

  test('the failure bucket: 10 wrong codes, then even the right code gets 429; one token back every 6 minutes', async () => {
    const user = newUser();
    const { record, secret } = await enrolled(user);
    const wrong = (t: number) => wrongCode(secret, t);
    for (let i = 0; i < 10; i++) assert.equal(await verifyTotp({ tenant, userId: user, candidates: [record], code: wrong(now), nowMs: now }), undefined, `failure ${i + 1}`);
    await assert.rejects(verifyTotp({ tenant, userId: user, candidates: [record], code: totpCode(secret, totpStep(now)), nowMs: now }), isTooMany);
    await assert.rejects(attemptsLeft(user, now), isTooMany);
    await assert.rejects(withMfaAttempt(tenant, user, async () => false, { nowMs: now }), isTooMany);
    const later = now + 6 * 60_000;
    await attemptsLeft(user, later);
    assert.ok(await verifyTotp({ tenant, userId: user, candidates: [record], code: totpCode(secret, totpStep(later)), nowMs: later }));
    // A success does not refill: the token it found is still there for one more failure, then none.
    assert.equal(await verifyTotp({ tenant, userId: user, candidates: [record], code: wrong(later), nowMs: later }), undefined);
    await assert.rejects(verifyTotp({ tenant, userId: user, candidates: [record], code: wrong(later), nowMs: later }), isTooMany);
  });

  test('40 concurrent wrong codes and the right one: at most 10 codes are checked, the rest are 429 unchecked', async () => {
    const user = newUser();
    const { record, secret } = await enrolled(user);
    const right = totpCode(secret, totpStep(now));
    const codes = [...Array.from({ length: 40 }, (_, i) => wrongCode(secret, now, i * 13)), right];
    // Counts the codes that reach the authenticators (verifyTotp walks the candidates once per checked code).
    let looked = 0;
    class Counted extends Array<AuthenticatorRecord> {
      override [Symbol.iterator]() {
        looked++;
        return super[Symbol.iterator]();
      }
    }
    const candidates = Counted.from([record]) as Counted;
    const settled = await Promise.allSettled(codes.map((code) => verifyTotp({ tenant, userId: user, candidates, code, nowMs: now })));
    const wrongChecked = settled.filter((s) => s.status === 'fulfilled' && s.value === undefined);
    const accepted = settled.filter((s) => s.status === 'fulfilled' && s.value !== undefined);
    for (const s of settled) if (s.status === 'rejected') assert.ok(isTooMany(s.reason));
    // The bucket holds 10: no more than 10 wrong codes are ever looked at; the right one, if it
    // got a token, gives it back, which may let one more in.
    assert.ok(wrongChecked.length <= 10, `${wrongChecked.length} wrong codes checked`);
    assert.ok(looked <= 10 + accepted.length, `${looked} codes looked at`);
    assert.ok(looked >= 1);
    assert.ok(accepted.length <= 1);
  });

  test('withMfaAttempt: of 40 concurrent failing checks only 10 run; a check that throws keeps its token', async () => {
    const user = newUser();
    let ran = 0;
    const slowWrong = async () => {
      ran++;
      await new Promise((r) => setTimeout(r, 20));
      return false;
    };
    const settled = await Promise.allSettled(Array.from({ length: 40 }, () => withMfaAttempt(tenant, user, slowWrong, { nowMs: now })));
    assert.equal(ran, 10);
    assert.equal(settled.filter((s) => s.status === 'rejected' && isTooMany(s.reason)).length, 30);
    const other = newUser();
    for (let i = 0; i < 10; i++) await assert.rejects(withMfaAttempt(tenant, other, async () => { throw new Error('boom'); }, { nowMs: now }), /boom/);
    await assert.rejects(attemptsLeft(other, now), isTooMany);
  });

  test('a right code gives its token back: 9 wrong, right, right, 1 wrong, then even a right code is 429', async () => {
    const user = newUser();
    const { record, secret } = await enrolled(user);
    const at = (k: number) => now + k * 30_000;
    for (let i = 0; i < 9; i++) assert.equal(await verifyTotp({ tenant, userId: user, candidates: [record], code: wrongCode(secret, at(0), i), nowMs: at(0) }), undefined);
    // Each right code spends the last token before it is checked and gets it back after.
    assert.ok(await verifyTotp({ tenant, userId: user, candidates: [record], code: totpCode(secret, totpStep(at(0))), nowMs: at(0) }));
    assert.ok(await verifyTotp({ tenant, userId: user, candidates: [record], code: totpCode(secret, totpStep(at(3))), nowMs: at(3) }));
    assert.equal(await verifyTotp({ tenant, userId: user, candidates: [record], code: wrongCode(secret, at(3)), nowMs: at(3) }), undefined);
    await assert.rejects(verifyTotp({ tenant, userId: user, candidates: [record], code: totpCode(secret, totpStep(at(6))), nowMs: at(6) }), isTooMany);
  });

  test('failures of one user do not touch another’s bucket; malformed codes count as failures', async () => {
    const a = newUser();
    const b = newUser();
    const { record, secret } = await enrolled(a);
    for (const code of ['', 'abcdef', '1234567', '12345', '-1', '１２３４５６', 'x'.repeat(10_000), wrongCode(secret, now, 1), wrongCode(secret, now, 2), wrongCode(secret, now, 3)]) {
      assert.equal(await verifyTotp({ tenant, userId: a, candidates: [record], code, nowMs: now }), undefined);
    }
    await assert.rejects(attemptsLeft(a, now), isTooMany);
    await attemptsLeft(b, now);
  });
});
