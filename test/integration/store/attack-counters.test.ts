import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { bruteForceKey, clearLoginFailures, recordLoginAttempt, type BruteForceGuard } from '../../../shared/attack-protection/brute-force.ts';
import { attackProtectionDefaults } from '../../../shared/attack-protection/settings.ts';
import { claimOnce, clearCounter, counterKey, peekBucket, readFailures, recordFailure, refundToken, spendToken } from '../../../shared/store/attack-counters.ts';
import type { UserRecord } from '../../../shared/store/users.ts';
import { useLocalTables } from '../../support/local-tables.ts';

const t0 = 1_800_000_000_000;
const day = 24 * 3600 * 1000;
const ttlMs = 30 * day;
const key = () => counterKey('test', randomUUID());
const guardWith = (max_attempts: number, shields: BruteForceGuard['settings']['shields'] = ['block', 'user_notification']): BruteForceGuard => ({
  key: bruteForceKey('Users', `${randomUUID()}@example.com`, '192.0.2.1'),
  settings: { ...attackProtectionDefaults.brute_force, max_attempts, shields },
});
const user = (unblocked_at?: string) => ({ user_id: 'auth0|x', email: 'x@example.com', ...(unblocked_at ? { unblocked_at } : {}) }) as unknown as UserRecord;

describe('attack counters (brute force, exact buckets, once-a-window claims) on DynamoDB Local', () => {
  before(async () => {
    await useLocalTables();
  });

  describe('failure counters', () => {
    test('each failure returns the count it makes; the count reads back', async () => {
      const k = key();
      const counts = [];
      for (let i = 0; i < 4; i++) counts.push((await recordFailure(k, { ttlMs, now: t0 + i })).failures);
      assert.deepEqual(counts, [1, 2, 3, 4]);
      const counter = await readFailures(k, { now: t0 + 10 });
      assert.equal(counter?.failures, 4);
      assert.equal(counter?.windowStart, t0);
      assert.equal(counter?.lastFailureAt, t0 + 3);
    });

    test('the key is a hash: identifiers and IPs are not stored in clear', () => {
      const k = bruteForceKey('Users', 'Alice@Example.com', '192.0.2.1');
      assert.doesNotMatch(k, /alice|example|192/i);
      assert.equal(k, bruteForceKey('Users', 'alice@example.com', '192.0.2.1'), 'identifiers are case-insensitive');
      assert.notEqual(k, bruteForceKey('Users', 'alice@example.com', '192.0.2.2'));
      assert.notEqual(k, bruteForceKey('Other', 'alice@example.com', '192.0.2.1'));
      assert.notEqual(bruteForceKey('Users', 'alice@example.com', undefined), k, 'count_per_identifier has its own key');
    });

    test('20 concurrent failures count exactly 20, each seeing a different count', async () => {
      const k = key();
      const counts = (await Promise.all(Array.from({ length: 20 }, () => recordFailure(k, { ttlMs, now: t0 })))).map((c) => c.failures);
      assert.deepEqual([...counts].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
      assert.equal((await readFailures(k, { now: t0 }))?.failures, 20);
    });

    test('20 concurrent failures on a count that an unblock made stale start one new count of exactly 20', async () => {
      const k = key();
      for (let i = 0; i < 5; i++) await recordFailure(k, { ttlMs, now: t0 });
      const unblockedAt = t0 + 1000;
      const counts = (await Promise.all(Array.from({ length: 20 }, () => recordFailure(k, { ttlMs, now: t0 + 2000, resetBefore: unblockedAt })))).map((c) => c.failures);
      assert.deepEqual([...counts].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
      assert.equal((await readFailures(k, { now: t0 + 2000, resetBefore: unblockedAt }))?.failures, 20);
    });

    test('a count lives 30 days after its last failure, then starts again from 1', async () => {
      const k = key();
      await recordFailure(k, { ttlMs, now: t0 });
      await recordFailure(k, { ttlMs, now: t0 + 10 * day });
      // 30 days after the first failure, but not after the last: still alive.
      assert.equal((await readFailures(k, { now: t0 + 30 * day + 1000 }))?.failures, 2);
      // 30 days after the last one: gone, even though TTL has not deleted the item.
      assert.equal(await readFailures(k, { now: t0 + 40 * day + 1000 }), undefined);
      assert.deepEqual(await recordFailure(k, { ttlMs, now: t0 + 40 * day + 1000 }), { failures: 1, windowStart: t0 + 40 * day + 1000 });
    });

    test('clearCounter forgets the count (a successful login)', async () => {
      const k = key();
      await recordFailure(k, { ttlMs, now: t0 });
      await recordFailure(k, { ttlMs, now: t0 });
      await clearCounter(k);
      assert.equal(await readFailures(k, { now: t0 }), undefined);
      assert.equal((await recordFailure(k, { ttlMs, now: t0 })).failures, 1);
    });
  });

  describe('brute-force attempts', () => {
    test('attempts past max_attempts are blocked; reachedLimit marks the one at the threshold', async () => {
      const guard = guardWith(3);
      const seen = [];
      for (let i = 0; i < 5; i++) seen.push(await recordLoginAttempt(guard, undefined));
      assert.deepEqual(seen, [
        { failures: 1, blocked: false, reachedLimit: false },
        { failures: 2, blocked: false, reachedLimit: false },
        { failures: 3, blocked: false, reachedLimit: true },
        { failures: 4, blocked: true, reachedLimit: false },
        { failures: 5, blocked: true, reachedLimit: false },
      ]);
    });

    test('of 20 concurrent attempts at a threshold of 10, exactly 10 go on to a password check and one reaches the limit', async () => {
      const guard = guardWith(10);
      const results = await Promise.all(Array.from({ length: 20 }, () => recordLoginAttempt(guard, undefined)));
      assert.equal(results.filter((r) => !r.blocked).length, 10);
      assert.equal(results.filter((r) => r.reachedLimit).length, 1);
    });

    test('a success clears the count', async () => {
      const guard = guardWith(2);
      for (let i = 0; i < 2; i++) await recordLoginAttempt(guard, undefined);
      await clearLoginFailures(guard);
      assert.deepEqual(await recordLoginAttempt(guard, undefined), { failures: 1, blocked: false, reachedLimit: false });
    });

    test('without the block shield the count goes on but never blocks (monitoring)', async () => {
      const guard = guardWith(2, ['user_notification']);
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await recordLoginAttempt(guard, undefined));
      assert.deepEqual(results.map((r) => [r.failures, r.blocked]), [[1, false], [2, false], [3, false], [4, false]]);
    });

    test('raising the threshold lifts the block', async () => {
      const guard = guardWith(2);
      for (let i = 0; i < 3; i++) await recordLoginAttempt(guard, undefined);
      assert.equal((await recordLoginAttempt(guard, undefined)).blocked, true);
      assert.equal((await recordLoginAttempt({ ...guard, settings: { ...guard.settings, max_attempts: 10 } }, undefined)).blocked, false);
    });

    test("a count begun before the user's unblocked_at does not count: the next attempt starts from 1", async () => {
      const guard = guardWith(3);
      for (let i = 0; i < 4; i++) await recordLoginAttempt(guard, user());
      assert.equal((await recordLoginAttempt(guard, user())).blocked, true);
      await new Promise((r) => setTimeout(r, 5));
      const unblocked = user(new Date().toISOString());
      assert.deepEqual(await recordLoginAttempt(guard, unblocked), { failures: 1, blocked: false, reachedLimit: false });
      assert.equal((await recordLoginAttempt(guard, unblocked)).failures, 2);
    });
  });

  describe('exact token buckets', () => {
    const bucket = { burst: 5, intervalMs: 1000 };

    test('a full bucket allows exactly burst spends at one instant, then refuses with Retry-After', async () => {
      const k = key();
      const results = [];
      for (let i = 0; i < 7; i++) results.push(await spendToken(k, bucket, { now: t0 }));
      assert.deepEqual(results.map((r) => r.spent), [true, true, true, true, true, false, false]);
      assert.deepEqual(results.slice(0, 5).map((r) => r.state.remaining), [4, 3, 2, 1, 0]);
      assert.equal(results[5]!.state.retryAfter, 1);
      const peek = await peekBucket(k, bucket, { now: t0 });
      assert.deepEqual(peek, { available: false, remaining: 0, retryAfter: 1 });
    });

    test('20 concurrent spends on a bucket of 5 spend exactly 5', async () => {
      const k = key();
      const results = await Promise.all(Array.from({ length: 20 }, () => spendToken(k, bucket, { now: t0 })));
      assert.equal(results.filter((r) => r.spent).length, 5);
    });

    test('the bucket refills one token per interval', async () => {
      const k = key();
      for (let i = 0; i < 5; i++) await spendToken(k, bucket, { now: t0 });
      assert.equal((await peekBucket(k, bucket, { now: t0 + 999 })).available, false);
      assert.deepEqual(await peekBucket(k, bucket, { now: t0 + 1000 }), { available: true, remaining: 1, retryAfter: 0 });
      assert.equal((await spendToken(k, bucket, { now: t0 + 1000 })).spent, true);
      assert.equal((await spendToken(k, bucket, { now: t0 + 1000 })).spent, false);
      assert.deepEqual(await peekBucket(k, bucket, { now: t0 + 60_000 }), { available: true, remaining: 5, retryAfter: 0 }, 'full again, the item long expired');
    });

    test('a refund gives one token back, never beyond a full bucket', async () => {
      const k = key();
      for (let i = 0; i < 5; i++) await spendToken(k, bucket, { now: t0 });
      await refundToken(k, bucket, { now: t0 });
      assert.deepEqual(await peekBucket(k, bucket, { now: t0 }), { available: true, remaining: 1, retryAfter: 0 });
      for (let i = 0; i < 10; i++) await refundToken(k, bucket, { now: t0 });
      assert.deepEqual(await peekBucket(k, bucket, { now: t0 }), { available: true, remaining: 5, retryAfter: 0 });
      assert.equal((await Promise.all(Array.from({ length: 8 }, () => spendToken(k, bucket, { now: t0 })))).filter((r) => r.spent).length, 5);
      await refundToken(key(), bucket, { now: t0 }); // nothing to refund: no error
    });

    test('peeking never spends', async () => {
      const k = key();
      for (let i = 0; i < 10; i++) await peekBucket(k, bucket, { now: t0 });
      assert.deepEqual(await peekBucket(k, bucket, { now: t0 }), { available: true, remaining: 5, retryAfter: 0 });
    });
  });

  describe('once-a-window claims', () => {
    test('the first claim wins, the others within the window lose, and the next window is claimable again', async () => {
      const k = key();
      const hour = 3600 * 1000;
      const concurrent = await Promise.all(Array.from({ length: 10 }, () => claimOnce(k, hour, { now: t0 })));
      assert.equal(concurrent.filter(Boolean).length, 1);
      assert.equal(await claimOnce(k, hour, { now: t0 + hour - 1 }), false);
      assert.equal(await claimOnce(k, hour, { now: t0 + hour }), true);
    });
  });
});
