import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authenticatorView, listOrder, maskPhone } from '../../../../functions/mfa/authenticator-view.ts';
import type { AuthenticatorRecord } from '../../../../shared/store/authenticators.ts';

/** GET /mfa/authenticators' shape (reference §8.3): no secret ever leaves, phones masked as Auth0 does. */
const base = { user_id: 'auth0|1', active: true, created_at: '2026-01-01T00:00:00.000Z' };

test('each kind in Auth0 shape, without stored secrets', () => {
  const otp: AuthenticatorRecord = { ...base, id: 'totp|dev_a', kind: 'otp', secret_sealed: 'l1.sealed', last_step: 7 };
  assert.deepEqual(authenticatorView(otp), { id: 'totp|dev_a', authenticator_type: 'otp', active: true });
  const rc: AuthenticatorRecord = { ...base, id: 'recovery-code|dev_b', kind: 'recovery-code', active: false, code_digest: 'digest' };
  assert.deepEqual(authenticatorView(rc), { id: 'recovery-code|dev_b', authenticator_type: 'recovery-code', active: false });
  const sms: AuthenticatorRecord = { ...base, id: 'sms|dev_c', kind: 'sms', phone_number: '+14155558730' };
  assert.deepEqual(authenticatorView(sms), { id: 'sms|dev_c', authenticator_type: 'oob', active: true, oob_channel: 'sms', name: 'XXXXXXX8730' });
  const email: AuthenticatorRecord = { ...base, id: 'email|dev_d', kind: 'email', email: 'a@b.test' };
  assert.deepEqual(authenticatorView(email), { id: 'email|dev_d', authenticator_type: 'oob', active: true, oob_channel: 'email', name: 'a@b.test' });
});

test('phones keep only their last four digits', () => {
  assert.equal(maskPhone('+441234567890'), 'XXXXXXXX7890');
  assert.equal(maskPhone('+123'), '123');
});

test('recovery codes first, then enrolment order', () => {
  const at = (id: string, kind: AuthenticatorRecord['kind'], created_at: string): AuthenticatorRecord => ({ ...base, id, kind, created_at });
  const sorted = [at('sms|dev_1', 'sms', '2026-01-02'), at('recovery-code|dev_2', 'recovery-code', '2026-01-03'), at('totp|dev_3', 'otp', '2026-01-01')].sort(listOrder);
  assert.deepEqual(sorted.map((a) => a.id), ['recovery-code|dev_2', 'totp|dev_3', 'sms|dev_1']);
});
