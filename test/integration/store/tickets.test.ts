import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { sha256Base64Url } from '../../../shared/crypto/digest.ts';
import { ddb } from '../../../shared/store/ddb.ts';
import { createTicket, peekTicket, redeemTicket } from '../../../shared/store/tickets.ts';
import { useLocalTables } from '../../support/local-tables.ts';

/** One-time tickets on DynamoDB Local: stored by hash, single use, expiry, one winner of N. */
describe('tickets (DynamoDB Local)', () => {
  let codesTable: string;
  before(async () => {
    codesTable = (await useLocalTables()).codes!;
  });
  const itemOf = async (pk: string) =>
    ((await ddb().send(new ScanCommand({ TableName: codesTable, ConsistentRead: true }))).Items ?? []).find((i) => i.pk === pk);

  test('a ticket is URL-safe, stored only as its SHA-256 under its kind, with its data and expiry', async () => {
    const now = new Date('2026-05-01T00:00:00Z');
    const ticket = await createTicket('reset', { user_id: 'auth0|abc', connection: 'Users' }, 432_000, { now });
    assert.match(ticket, /^[A-Za-z0-9_-]{43}$/);
    const item = await itemOf(`reset#${sha256Base64Url(ticket)}`);
    assert.deepEqual(item?.data, { user_id: 'auth0|abc', connection: 'Users' });
    assert.equal(item?.expiresAt, Math.floor(now.getTime() / 1000) + 432_000);
    const all = JSON.stringify((await ddb().send(new ScanCommand({ TableName: codesTable }))).Items);
    assert.equal(all.includes(ticket), false, 'the ticket itself is nowhere in the table');
  });

  test('peek does not use a ticket up; redeem does, once', async () => {
    const ticket = await createTicket('reset', { user_id: 'u1' }, 60);
    assert.deepEqual(await peekTicket('reset', ticket), { user_id: 'u1' });
    assert.deepEqual(await peekTicket('reset', ticket), { user_id: 'u1' });
    assert.deepEqual(await redeemTicket('reset', ticket), { user_id: 'u1' });
    assert.equal(await redeemTicket('reset', ticket), undefined);
    assert.equal(await peekTicket('reset', ticket), undefined);
  });

  test('kinds do not mix: a reset ticket is no unblock ticket', async () => {
    const ticket = await createTicket('reset', { user_id: 'u2' }, 60);
    assert.equal(await peekTicket('unblock', ticket), undefined);
    assert.equal(await redeemTicket('unblock', ticket), undefined);
    assert.deepEqual(await redeemTicket('reset', ticket), { user_id: 'u2' });
  });

  test('an expired ticket that TTL has not deleted yet is neither shown nor redeemed, and stays refused', async () => {
    const created = new Date('2026-05-01T00:00:00Z');
    const ticket = await createTicket('unblock', { user_id: 'u3' }, 300, { now: created });
    const justBefore = new Date(created.getTime() + 299_000);
    const atExpiry = new Date(created.getTime() + 300_000);
    assert.deepEqual(await peekTicket('unblock', ticket, { now: justBefore }), { user_id: 'u3' });
    assert.equal(await peekTicket('unblock', ticket, { now: atExpiry }), undefined);
    assert.equal(await redeemTicket('unblock', ticket, { now: atExpiry }), undefined);
    assert.ok(await itemOf(`unblock#${sha256Base64Url(ticket)}`), 'the expired item is still there (TTL deletes lazily)');
    assert.deepEqual(await redeemTicket('unblock', ticket, { now: justBefore }), { user_id: 'u3' }, 'before expiry it was valid');
  });

  test('unknown and malformed tickets are refused without a throw', async () => {
    for (const ticket of ['', 'x', 'A'.repeat(43), 'A'.repeat(44), '../../etc', 'a b'.repeat(15), '\u0000'.repeat(43)]) {
      assert.equal(await peekTicket('reset', ticket), undefined, ticket);
      assert.equal(await redeemTicket('reset', ticket), undefined, ticket);
    }
  });

  test('of 12 concurrent redemptions of one ticket exactly one wins', async () => {
    for (let round = 0; round < 3; round++) {
      const ticket = await createTicket('reset', { user_id: `race-${round}` }, 60);
      const results = await Promise.all(Array.from({ length: 12 }, () => redeemTicket('reset', ticket)));
      const winners = results.filter((r) => r !== undefined);
      assert.equal(winners.length, 1, `round ${round}: ${winners.length} winners`);
      assert.deepEqual(winners[0], { user_id: `race-${round}` });
    }
  });
});
