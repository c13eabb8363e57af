import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  activateAuthenticator,
  claimTotpStep,
  deleteAuthenticator,
  getAuthenticator,
  listAuthenticators,
  newAuthenticatorId,
  putAuthenticator,
  replaceRecoveryCode,
  type AuthenticatorRecord,
} from '../../../shared/store/authenticators.ts';
import { useLocalTables } from '../../support/local-tables.ts';

/** MFA authenticators on DynamoDB Local: one Query per user, never overwritten, one winner for every one-time change. */
describe('authenticators (DynamoDB Local)', () => {
  before(async () => {
    await useLocalTables();
  });

  let users = 0;
  const newUser = () => `auth0|${(++users).toString(16).padStart(24, '0')}`;
  const otp = (userId: string, extra: Partial<AuthenticatorRecord> = {}): AuthenticatorRecord => ({
    id: newAuthenticatorId('otp'),
    user_id: userId,
    kind: 'otp',
    active: false,
    created_at: '2026-05-01T00:00:00.000Z',
    secret_sealed: 'l1.sealed',
    ...extra,
  });

  test('ids have Auth0 shape, per kind, and do not repeat', () => {
    assert.match(newAuthenticatorId('otp'), /^totp\|dev_[A-Za-z0-9]{16}$/);
    assert.match(newAuthenticatorId('sms'), /^sms\|dev_[A-Za-z0-9]{16}$/);
    assert.match(newAuthenticatorId('email'), /^email\|dev_[A-Za-z0-9]{16}$/);
    assert.match(newAuthenticatorId('recovery-code'), /^recovery-code\|dev_[A-Za-z0-9]{16}$/);
    assert.equal(new Set(Array.from({ length: 200 }, () => newAuthenticatorId('otp'))).size, 200);
  });

  test('put, get and list a user’s authenticators (and only theirs)', async () => {
    const user = newUser();
    const other = newUser();
    const a = otp(user);
    const b: AuthenticatorRecord = { id: newAuthenticatorId('sms'), user_id: user, kind: 'sms', active: true, created_at: '2026-05-01T00:00:00.000Z', phone_number: '+15555550100' };
    await putAuthenticator(a);
    await putAuthenticator(b);
    await putAuthenticator(otp(other));
    assert.deepEqual(await getAuthenticator(user, a.id), a);
    const listed = await listAuthenticators(user);
    assert.deepEqual(listed.map((r) => r.id).sort(), [a.id, b.id].sort());
    assert.deepEqual(listed.find((r) => r.id === b.id), b);
    assert.equal(await getAuthenticator(other, a.id), undefined, 'another user’s id is not found under this user');
    assert.deepEqual(await listAuthenticators(newUser()), []);
    assert.equal(await getAuthenticator(user, 'not an id'), undefined);
  });

  test('put never overwrites', async () => {
    const a = otp(newUser());
    await putAuthenticator(a);
    await assert.rejects(putAuthenticator({ ...a, secret_sealed: 'l1.other' }), { name: 'ConditionalCheckFailedException' });
    assert.equal((await getAuthenticator(a.user_id, a.id))?.secret_sealed, 'l1.sealed');
  });

  test('activation: once, by one of 10 concurrent callers; unknown ids are not created', async () => {
    const a = otp(newUser());
    await putAuthenticator(a);
    const now = new Date('2026-05-02T00:00:00.000Z');
    const results = await Promise.all(Array.from({ length: 10 }, () => activateAuthenticator(a.user_id, a.id, now)));
    assert.equal(results.filter(Boolean).length, 1);
    const stored = await getAuthenticator(a.user_id, a.id);
    assert.equal(stored?.active, true);
    assert.equal(stored?.confirmed_at, now.toISOString());
    assert.equal(await activateAuthenticator(a.user_id, a.id), false, 'already active');
    const ghost = newAuthenticatorId('otp');
    assert.equal(await activateAuthenticator(a.user_id, ghost), false);
    assert.equal(await getAuthenticator(a.user_id, ghost), undefined);
  });

  test('TOTP steps: each accepted once; an earlier step after a later one is refused; 10 concurrent claims, one winner', async () => {
    const a = otp(newUser(), { active: true });
    await putAuthenticator(a);
    assert.equal(await claimTotpStep(a.user_id, a.id, 1000), true);
    assert.equal(await claimTotpStep(a.user_id, a.id, 1000), false, 'replay of the same step');
    assert.equal(await claimTotpStep(a.user_id, a.id, 999), false, 'an earlier step once a later one was used');
    const results = await Promise.all(Array.from({ length: 10 }, () => claimTotpStep(a.user_id, a.id, 1001)));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal((await getAuthenticator(a.user_id, a.id))?.last_step, 1001);
    assert.equal(await claimTotpStep(a.user_id, newAuthenticatorId('otp'), 5000), false, 'unknown authenticator');
    assert.equal(await claimTotpStep(a.user_id, a.id, Number.NaN), false);
  });

  test('claimTotpStep does not apply to other kinds', async () => {
    const user = newUser();
    const sms: AuthenticatorRecord = { id: newAuthenticatorId('sms'), user_id: user, kind: 'sms', active: true, created_at: '2026-05-01T00:00:00.000Z' };
    await putAuthenticator(sms);
    assert.equal(await claimTotpStep(user, sms.id, 1), false);
  });

  test('recovery code: swapped once from the current digest by one of 10 concurrent callers; not while inactive', async () => {
    const user = newUser();
    const rc: AuthenticatorRecord = { id: newAuthenticatorId('recovery-code'), user_id: user, kind: 'recovery-code', active: false, created_at: '2026-05-01T00:00:00.000Z', code_digest: 'd0' };
    await putAuthenticator(rc);
    assert.equal(await replaceRecoveryCode(user, rc.id, 'd0', 'd1'), false, 'an unconfirmed recovery code opens nothing');
    assert.equal(await activateAuthenticator(user, rc.id), true);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => replaceRecoveryCode(user, rc.id, 'd0', `n${i}`)));
    assert.equal(results.filter(Boolean).length, 1);
    const winner = results.indexOf(true);
    assert.equal((await getAuthenticator(user, rc.id))?.code_digest, `n${winner}`);
    assert.equal(await replaceRecoveryCode(user, rc.id, 'd0', 'x'), false, 'the old digest is used up');
    assert.equal(await replaceRecoveryCode(user, rc.id, 'wrong', 'x'), false);
  });

  test('delete: true once, then false', async () => {
    const a = otp(newUser());
    await putAuthenticator(a);
    assert.equal(await deleteAuthenticator(a.user_id, a.id), true);
    assert.equal(await deleteAuthenticator(a.user_id, a.id), false);
    assert.equal(await getAuthenticator(a.user_id, a.id), undefined);
  });
});
