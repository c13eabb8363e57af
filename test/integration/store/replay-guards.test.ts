import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../../shared/store/ddb.ts';
import { firstUse } from '../../../shared/store/replay-guards.ts';
import { useLocalTables } from '../../support/local-tables.ts';

const now = 1_800_000_000;

describe('firstUse (replay guards on DynamoDB Local)', () => {
  let codesTable: string;
  before(async () => {
    codesTable = (await useLocalTables()).codes!;
  });

  test('the id is stored only as a hash, with its expiry', async () => {
    const id = `jti-${randomUUID()}`;
    await firstUse('jti#client-9', id, now + 60, now);
    const { Items = [] } = await ddb().send(new ScanCommand({ TableName: codesTable }));
    const mine = Items.filter((i) => String(i.pk).startsWith('jti#client-9#'));
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.expiresAt, now + 60);
    assert.equal(JSON.stringify(Items).includes(id), false);
  });

  test('the first use of an id is true', async () => {
    assert.equal(await firstUse('jti#client-1', randomUUID(), now + 60, now), true);
  });

  test('a second use of the same id is false', async () => {
    const id = randomUUID();
    assert.equal(await firstUse('jti#client-1', id, now + 60, now), true);
    assert.equal(await firstUse('jti#client-1', id, now + 60, now + 1), false);
  });

  test('the same id in another namespace (another client) is a first use', async () => {
    const id = randomUUID();
    assert.equal(await firstUse('jti#client-1', id, now + 60, now), true);
    assert.equal(await firstUse('jti#client-2', id, now + 60, now), true);
  });

  test('a guard that has expired, but that TTL has not deleted yet, counts as absent', async () => {
    const id = randomUUID();
    assert.equal(await firstUse('jti#client-1', id, now + 10, now), true);
    assert.equal(await firstUse('jti#client-1', id, now + 100, now + 11), true);
  });

  test('the renewed guard protects again until its new expiry', async () => {
    const id = randomUUID();
    assert.equal(await firstUse('jti#client-1', id, now + 10, now), true);
    assert.equal(await firstUse('jti#client-1', id, now + 100, now + 11), true);
    assert.equal(await firstUse('jti#client-1', id, now + 100, now + 50), false);
  });

  test('a guard is still present at its expiry second', async () => {
    const id = randomUUID();
    assert.equal(await firstUse('jti#client-1', id, now + 10, now), true);
    assert.equal(await firstUse('jti#client-1', id, now + 20, now + 10), false);
  });

  test('of 10 concurrent uses of one id, exactly one is first', async () => {
    const id = randomUUID();
    const results = await Promise.all(Array.from({ length: 10 }, () => firstUse('jti#client-1', id, now + 60, now)));
    assert.equal(results.filter((r) => r).length, 1);
  });

  test('of 10 concurrent uses of an expired id, exactly one is first', async () => {
    const id = randomUUID();
    assert.equal(await firstUse('jti#client-1', id, now + 1, now), true);
    const results = await Promise.all(Array.from({ length: 10 }, () => firstUse('jti#client-1', id, now + 60, now + 5)));
    assert.equal(results.filter((r) => r).length, 1);
  });
});
