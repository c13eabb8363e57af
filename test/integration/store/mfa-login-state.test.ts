import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { AuthorizationTransaction } from '../../../functions/authorize/transaction.ts';
import { binderCookieName, browserBinder, findTransaction, markTransactionFirstFactor, newTransactionId, saveTransaction } from '../../../shared/store/login-transactions.ts';
import { createSession, currentSession, reauthenticateSession } from '../../../shared/store/sessions.ts';
import type { TenantConfig } from '../../../shared/tenant/model.ts';
import { apiEvent } from '../../support/events.ts';
import { useLocalTables } from '../../support/local-tables.ts';

/**
 * What the hosted MFA pages keep (DynamoDB Local): the pending first factor on a login
 * transaction (only the browser holding the transaction's binder sees it; a newer one replaces
 * an older one, never the reverse), and `amr` on sessions (kept by createSession, replaced or
 * dropped by reauthenticateSession, so a session says how its latest login was made).
 */
const now = Math.floor(Date.now() / 1000);
const withCookie = (cookie: string | undefined) => apiEvent({ headers: cookie ? { cookie } : {} });
const tenant: TenantConfig = {
  settings: { mtls: { enable_endpoint_aliases: false }, rate_limits: {}, extra: {} },
  clients: new Map(),
  resourceServers: new Map(),
  clientGrants: new Map(),
  connections: new Map(),
  customDomains: new Map(),
};

function transaction(): AuthorizationTransaction {
  return { id: newTransactionId(), client_id: 'web', redirect_uri: 'https://app.test/cb', response_type: 'code', response_mode: 'query', scope: ['openid'], prompt: [], created_at: now };
}

describe('MFA login state (DynamoDB Local)', () => {
  before(async () => {
    await useLocalTables();
  });

  test('markTransactionFirstFactor: bound to the browser of the transaction; newer replaces older, never the reverse', async () => {
    const { binder } = browserBinder(withCookie(undefined), false);
    const txn = transaction();
    await saveTransaction(txn, binder);
    const mine = withCookie(`${binderCookieName}=${binder}`);
    assert.equal((await findTransaction<AuthorizationTransaction>(mine, txn.id))?.first_factor, undefined);

    assert.equal(await markTransactionFirstFactor(txn.id, { user_id: 'auth0|a', connection: 'db', at: now }), true);
    assert.deepEqual((await findTransaction<AuthorizationTransaction>(mine, txn.id))?.first_factor, { user_id: 'auth0|a', connection: 'db', at: now });
    const other = browserBinder(withCookie(undefined), false).binder;
    assert.equal(await findTransaction(withCookie(`${binderCookieName}=${other}`), txn.id), undefined, 'another browser sees nothing');

    assert.equal(await markTransactionFirstFactor(txn.id, { user_id: 'auth0|b', connection: 'db', at: now + 5 }), true, 'a later login in the same transaction');
    assert.equal(await markTransactionFirstFactor(txn.id, { user_id: 'auth0|a', connection: 'db', at: now + 1 }), false, 'an older one never wins');
    assert.equal((await findTransaction<AuthorizationTransaction>(mine, txn.id))?.first_factor?.user_id, 'auth0|b');
    assert.equal(await markTransactionFirstFactor(newTransactionId(), { user_id: 'auth0|a', connection: 'db', at: now }), false, 'no such transaction');
  });

  test('sessions keep amr; reauthenticating replaces it, and a login without a second factor drops it', async () => {
    const { session, setCookie } = await createSession({ tenant, userId: 'auth0|amr', connection: 'db', authTime: now, secure: false, amr: ['mfa'] });
    assert.deepEqual(session.amr, ['mfa']);
    const event = withCookie(setCookie.split(';')[0]);
    assert.deepEqual((await currentSession(event, tenant))?.amr, ['mfa']);
    const plain = await reauthenticateSession(session, { authTime: now + 10, connection: 'db' });
    assert.equal(plain?.amr, undefined);
    assert.equal((await currentSession(event, tenant))?.amr, undefined);
    const again = await reauthenticateSession(session, { authTime: now + 20, connection: 'db', amr: ['mfa'] });
    assert.deepEqual(again?.amr, ['mfa']);
    const { session: none } = await createSession({ tenant, userId: 'auth0|amr', connection: 'db', authTime: now, secure: false });
    assert.equal(none.amr, undefined);
  });
});
