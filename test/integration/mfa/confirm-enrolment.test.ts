import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { OAuthError } from '../../../shared/errors.ts';
import { answeringAuthenticators, confirmEnrolment } from '../../../shared/mfa/confirm-enrolment.ts';
import {
  activateAuthenticator,
  deletePendingAuthenticator,
  getAuthenticator,
  newAuthenticatorId,
  putAuthenticator,
  type AuthenticatorKind,
  type AuthenticatorRecord,
} from '../../../shared/store/authenticators.ts';
import { useLocalTables } from '../../support/local-tables.ts';

/**
 * confirmEnrolment: a right code for a pending enrolment read before a concurrent
 * /mfa/associate replaced it (or a DELETE removed it) confirms nothing — the grant is refused
 * and the recovery code stays pending; one a concurrent right code confirmed is fine.
 * answeringAuthenticators: which pending enrolments may answer.
 */
const record = (userId: string, kind: AuthenticatorKind, extra: Partial<AuthenticatorRecord> = {}): AuthenticatorRecord => ({
  id: newAuthenticatorId(kind),
  user_id: userId,
  kind,
  active: false,
  created_at: new Date().toISOString(),
  ...extra,
});
const newUserId = () => `auth0|${randomBytes(12).toString('hex')}`;

describe('confirmEnrolment (DynamoDB Local)', () => {
  before(async () => {
    await useLocalTables();
  });

  test('a pending enrolment deleted meanwhile is refused, and its recovery code stays pending', async () => {
    const userId = newUserId();
    const otp = record(userId, 'otp', { secret_sealed: 'l1.sealed' });
    const recovery = record(userId, 'recovery-code', { code_digest: 'digest' });
    await Promise.all([putAuthenticator(otp), putAuthenticator(recovery)]);
    assert.equal(await deletePendingAuthenticator(userId, otp.id), true);
    const refused = new OAuthError(403, 'invalid_grant', 'Invalid otp_code.');
    await assert.rejects(confirmEnrolment(userId, otp, [otp, recovery], { refused: () => refused }), (error) => error === refused);
    assert.equal((await getAuthenticator(userId, recovery.id))?.active, false);
    // Without a refusal of its own, still an invalid_grant (never a silent success).
    await assert.rejects(confirmEnrolment(userId, otp, [otp, recovery]), (error) => error instanceof OAuthError && error.error === 'invalid_grant');
  });

  test('one confirmed meanwhile by a concurrent right code is fine; the recovery code activates', async () => {
    const userId = newUserId();
    const otp = record(userId, 'otp', { secret_sealed: 'l1.sealed' });
    const recovery = record(userId, 'recovery-code', { code_digest: 'digest' });
    await Promise.all([putAuthenticator(otp), putAuthenticator(recovery)]);
    assert.equal(await activateAuthenticator(userId, otp.id), true);
    await confirmEnrolment(userId, otp, [otp, recovery]);
    assert.equal((await getAuthenticator(userId, recovery.id))?.active, true);
  });

  test('answeringAuthenticators: pending ones answer for a user with no active factor; once one is active, only access-token enrolments join it', () => {
    const userId = newUserId();
    const pendingMfaToken = record(userId, 'email', { enrolled_with: 'mfa_token' });
    const pendingUnknown = record(userId, 'otp');
    const pendingAccessToken = record(userId, 'sms', { enrolled_with: 'access_token' });
    const recovery = record(userId, 'recovery-code');
    const ids = (list: AuthenticatorRecord[]) => list.map((a) => a.id).sort();
    assert.deepEqual(ids(answeringAuthenticators([pendingMfaToken, pendingUnknown, recovery])), ids([pendingMfaToken, pendingUnknown]));
    const active = record(userId, 'otp', { active: true });
    assert.deepEqual(ids(answeringAuthenticators([active, pendingMfaToken, pendingUnknown, pendingAccessToken, recovery])), ids([active, pendingAccessToken]));
  });
});
