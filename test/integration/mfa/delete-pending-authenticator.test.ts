import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import {
  activateAuthenticator,
  deletePendingAuthenticator,
  getAuthenticator,
  newAuthenticatorId,
  putAuthenticator,
  type AuthenticatorRecord,
} from '../../../shared/store/authenticators.ts';
import { useLocalTables } from '../../support/local-tables.ts';

/**
 * /mfa/associate replaces a user's abandoned (unconfirmed) enrolments with a conditional
 * delete: an enrolment its first right code confirmed meanwhile must survive, whichever of
 * the two writes lands first.
 */
describe('deletePendingAuthenticator (DynamoDB Local)', () => {
  before(async () => {
    await useLocalTables();
  });

  const pending = (): AuthenticatorRecord => {
    const userId = `auth0|${randomBytes(12).toString('hex')}`;
    return { id: newAuthenticatorId('otp'), user_id: userId, kind: 'otp', active: false, created_at: new Date().toISOString(), secret_sealed: 'l1.sealed' };
  };

  test('deletes an unconfirmed enrolment, not a confirmed one, not a missing one', async () => {
    const a = pending();
    await putAuthenticator(a);
    assert.equal(await deletePendingAuthenticator(a.user_id, a.id), true);
    assert.equal(await getAuthenticator(a.user_id, a.id), undefined);
    assert.equal(await deletePendingAuthenticator(a.user_id, a.id), false);

    const b = pending();
    await putAuthenticator(b);
    assert.equal(await activateAuthenticator(b.user_id, b.id), true);
    assert.equal(await deletePendingAuthenticator(b.user_id, b.id), false);
    assert.equal((await getAuthenticator(b.user_id, b.id))?.active, true);
  });

  test('racing a confirmation: exactly one of the two wins, and a confirmed factor is never lost', async () => {
    for (let round = 0; round < 10; round++) {
      const a = pending();
      await putAuthenticator(a);
      const [activated, deleted] = await Promise.all([activateAuthenticator(a.user_id, a.id), deletePendingAuthenticator(a.user_id, a.id)]);
      assert.equal(activated !== deleted, true, `round ${round}: activated ${activated}, deleted ${deleted}`);
      const left = await getAuthenticator(a.user_id, a.id);
      if (activated) assert.equal(left?.active, true);
      else assert.equal(left, undefined);
    }
  });
});
