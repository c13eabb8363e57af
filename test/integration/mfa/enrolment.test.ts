import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { createEnrolment, deleteAbandonedEnrolments } from '../../../shared/mfa/enrolment.ts';
import { normalizeRecoveryCode, recoveryCodeDigest } from '../../../shared/mfa/recovery-codes.ts';
import { activateAuthenticator, listAuthenticators } from '../../../shared/store/authenticators.ts';
import { useLocalTables } from '../../support/local-tables.ts';

/**
 * shared/mfa/enrolment.ts, used by POST /mfa/associate and the hosted enrolment page (the
 * otp seed's sealing is covered with the secrets key in the MFA e2e tests).
 */
describe('createEnrolment / deleteAbandonedEnrolments (DynamoDB Local)', () => {
  before(async () => {
    await useLocalTables();
  });
  const newUserId = () => `auth0|${randomBytes(12).toString('hex')}`;

  test('an sms enrolment with its recovery code: both stored pending, the code only as its digest', async () => {
    const userId = newUserId();
    const now = new Date('2030-01-02T03:04:05.000Z');
    const enrolment = await createEnrolment({ userId, factor: { kind: 'sms', phoneNumber: '+15550100000' }, enrolledWith: 'mfa_token', withRecoveryCode: true, now });
    assert.equal(enrolment.secret, undefined);
    assert.ok(enrolment.recoveryCode);
    const stored = await listAuthenticators(userId);
    assert.equal(stored.length, 2);
    const sms = stored.find((a) => a.kind === 'sms');
    const recovery = stored.find((a) => a.kind === 'recovery-code');
    assert.deepEqual(sms, enrolment.authenticator);
    assert.equal(sms?.phone_number, '+15550100000');
    for (const record of [sms, recovery]) {
      assert.equal(record?.active, false);
      assert.equal(record?.enrolled_with, 'mfa_token');
      assert.equal(record?.created_at, now.toISOString());
    }
    assert.equal(recovery?.code_digest, recoveryCodeDigest(normalizeRecoveryCode(enrolment.recoveryCode)!));
    assert.ok(!JSON.stringify(stored).includes(enrolment.recoveryCode));
  });

  test('an email enrolment without a recovery code and without enrolled_with (the hosted page)', async () => {
    const userId = newUserId();
    const enrolment = await createEnrolment({ userId, factor: { kind: 'email', email: 'a@example.com' }, withRecoveryCode: false });
    assert.equal(enrolment.recoveryCode, undefined);
    const stored = await listAuthenticators(userId);
    assert.deepEqual(stored, [enrolment.authenticator]);
    assert.equal(stored[0]?.email, 'a@example.com');
    assert.equal('enrolled_with' in stored[0]!, false);
  });

  test('abandoned enrolments go; a confirmed one stays, and the answer says not all went', async () => {
    const userId = newUserId();
    const first = await createEnrolment({ userId, factor: { kind: 'email', email: 'a@example.com' }, withRecoveryCode: true });
    const second = await createEnrolment({ userId, factor: { kind: 'sms', phoneNumber: '+15550100001' }, withRecoveryCode: false });
    const all = await listAuthenticators(userId);
    assert.equal(all.length, 3);
    // Confirmed after the list was read (another tab, the MFA API): the conditional delete spares it.
    assert.equal(await activateAuthenticator(userId, second.authenticator.id), true);
    assert.equal(await deleteAbandonedEnrolments(userId, all), false);
    assert.deepEqual((await listAuthenticators(userId)).map((a) => a.id), [second.authenticator.id]);
    assert.notEqual(first.authenticator.id, second.authenticator.id);

    const third = await createEnrolment({ userId, factor: { kind: 'email', email: 'b@example.com' }, withRecoveryCode: false });
    assert.equal(await deleteAbandonedEnrolments(userId, await listAuthenticators(userId)), true);
    assert.deepEqual((await listAuthenticators(userId)).map((a) => a.id), [second.authenticator.id]);
    assert.notEqual(third.authenticator.id, second.authenticator.id);
  });
});
