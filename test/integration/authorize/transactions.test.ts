import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { AuthorizationTransaction } from '../../../functions/authorize/transaction.ts';
import { binderCookieName, browserBinder, consumeTransaction, findTransaction, newTransactionId, saveTransaction } from '../../../shared/store/login-transactions.ts';
import { addConsent, hasConsent } from '../../../shared/store/consents.ts';
import { ddb } from '../../../shared/store/ddb.ts';
import { apiEvent } from '../../support/events.ts';
import { useLocalTables } from '../../support/local-tables.ts';

/**
 * Login transactions and consents on DynamoDB Local: a transaction is found only by the
 * browser that holds its binder cookie, only while it lives, and ends once; consents grow
 * and answer per scope, audience and time.
 */
const now = Math.floor(Date.now() / 1000);
const withCookie = (cookie: string | undefined) => apiEvent({ headers: cookie ? { cookie } : {} });

function transaction(overrides: Partial<AuthorizationTransaction> = {}): AuthorizationTransaction {
  return {
    id: newTransactionId(),
    client_id: 'web',
    redirect_uri: 'https://app.test/callback',
    response_type: 'code',
    response_mode: 'query',
    scope: ['openid', 'profile'],
    state: 'client-state',
    nonce: 'n',
    prompt: [],
    created_at: now,
    ...overrides,
  };
}

describe('login transactions (DynamoDB Local)', () => {
  let codesTable: string;
  before(async () => {
    codesTable = (await useLocalTables()).codes!;
  });

  test('the binder cookie is HttpOnly, SameSite=Lax, Secure on https, and reused while it lives', () => {
    const fresh = browserBinder(withCookie(undefined), true);
    assert.match(fresh.setCookie, new RegExp(`^${binderCookieName}=${fresh.binder}; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=3600$`));
    assert.equal(browserBinder(withCookie(`${binderCookieName}=${fresh.binder}`), false).binder, fresh.binder);
    assert.doesNotMatch(browserBinder(withCookie(undefined), false).setCookie, /Secure/);
    assert.notEqual(browserBinder(withCookie(`${binderCookieName}=short`), false).binder, 'short');
  });

  test('only the browser holding the binder finds the transaction; ids and binders are stored as hashes', async () => {
    const { binder } = browserBinder(withCookie(undefined), false);
    const txn = transaction();
    await saveTransaction(txn, binder);
    assert.deepEqual(await findTransaction(withCookie(`${binderCookieName}=${binder}`), txn.id), txn);
    const other = browserBinder(withCookie(undefined), false).binder;
    assert.equal(await findTransaction(withCookie(`${binderCookieName}=${other}`), txn.id), undefined);
    assert.equal(await findTransaction(withCookie(undefined), txn.id), undefined);
    assert.equal(await findTransaction(withCookie(`${binderCookieName}=${binder}`), newTransactionId()), undefined);
    assert.equal(await findTransaction(withCookie(`${binderCookieName}=${binder}`), '../etc'), undefined);
    const { Items = [] } = await ddb().send(new ScanCommand({ TableName: codesTable }));
    const raw = JSON.stringify(Items);
    assert.equal(raw.includes(txn.id), false);
    assert.equal(raw.includes(binder), false);
  });

  test('an expired transaction is not found', async () => {
    const { binder } = browserBinder(withCookie(undefined), false);
    const txn = transaction({ created_at: now - 3601 });
    await saveTransaction(txn, binder);
    assert.equal(await findTransaction(withCookie(`${binderCookieName}=${binder}`), txn.id), undefined);
    assert.equal(await consumeTransaction(txn.id), false);
  });

  test('a transaction ends once, even under concurrent completions', async () => {
    const { binder } = browserBinder(withCookie(undefined), false);
    const txn = transaction();
    await saveTransaction(txn, binder);
    const results = await Promise.all(Array.from({ length: 6 }, () => consumeTransaction(txn.id)));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(await findTransaction(withCookie(`${binderCookieName}=${binder}`), txn.id), undefined);
  });
});

describe('consents (DynamoDB Local)', () => {
  before(async () => {
    await useLocalTables();
  });

  test('consent covers the scopes given, per client and audience, and grows', async () => {
    const user = `auth0|${now}c1`;
    assert.equal(await hasConsent(user, 'third', undefined, ['openid']), false);
    await addConsent(user, 'third', undefined, ['openid', 'profile'], now);
    assert.ok(await hasConsent(user, 'third', undefined, ['openid']));
    assert.ok(await hasConsent(user, 'third', undefined, ['profile', 'openid']));
    assert.equal(await hasConsent(user, 'third', undefined, ['openid', 'email']), false);
    assert.equal(await hasConsent(user, 'third', 'https://api.test/', ['openid']), false);
    assert.equal(await hasConsent(user, 'other-client', undefined, ['openid']), false);
    await Promise.all([addConsent(user, 'third', undefined, ['email'], now), addConsent(user, 'third', 'https://api.test/', ['read:a'], now)]);
    assert.ok(await hasConsent(user, 'third', undefined, ['openid', 'profile', 'email']));
    assert.ok(await hasConsent(user, 'third', 'https://api.test/', ['read:a']));
  });

  test('`since` asks for a consent given at or after a time (prompt=consent)', async () => {
    const user = `auth0|${now}c2`;
    await addConsent(user, 'third', undefined, ['openid'], now - 10);
    assert.equal(await hasConsent(user, 'third', undefined, ['openid'], now), false);
    await addConsent(user, 'third', undefined, ['openid'], now);
    assert.ok(await hasConsent(user, 'third', undefined, ['openid'], now));
  });
});
