import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import * as rateLimits from '../../../shared/store/rate-limits.ts';
import type { RateDecision } from '../../../shared/store/rate-limits.ts';
import { useLocalTables } from '../../support/local-tables.ts';

const { consume, defaults } = rateLimits;
const t0 = 1_800_000_000_000;
const key = () => `test#${randomUUID()}`;
const allowedCount = (decisions: RateDecision[]) => decisions.filter((d) => d.allowed).length;

async function inSequence(n: number, run: (i: number) => Promise<RateDecision>): Promise<RateDecision[]> {
  const out: RateDecision[] = [];
  for (let i = 0; i < n; i++) out.push(await run(i));
  return out;
}

describe('consume (GCRA token buckets on DynamoDB Local)', () => {
  /** A second function instance: the same module loaded again, with its own lease map. */
  let other: typeof rateLimits;
  before(async () => {
    await useLocalTables();
    // A query string makes the loader evaluate the module a second time; its imports (config, client) stay shared.
    other = (await import(`../../../shared/store/rate-limits.ts?instance=${randomUUID()}`)) as typeof rateLimits;
    assert.notEqual(other.consume, consume);
  });

  for (const bucket of [
    { burst: 5, per_second: 5 },
    { burst: 20, per_second: 10 },
  ]) {
    test(`burst ${bucket.burst}: exactly ${bucket.burst} requests pass at one instant, then refusals with Retry-After ≥ 1`, async () => {
      const k = key();
      const decisions = await inSequence(bucket.burst + 3, () => consume(k, bucket, t0));
      assert.deepEqual(decisions.map((d) => d.allowed), [...Array(bucket.burst).fill(true), false, false, false]);
      for (const refused of decisions.filter((d) => !d.allowed)) {
        assert.ok(refused.retryAfter >= 1, `retryAfter ${refused.retryAfter}`);
        assert.equal(refused.remaining, 0);
      }
    });

    test(`burst ${bucket.burst}: limit is the burst and remaining counts down by one to zero`, async () => {
      const k = key();
      const decisions = await inSequence(bucket.burst, () => consume(k, bucket, t0));
      assert.deepEqual(decisions.map((d) => d.limit), Array(bucket.burst).fill(bucket.burst));
      assert.deepEqual(decisions.map((d) => d.remaining), Array.from({ length: bucket.burst }, (_, i) => bucket.burst - 1 - i));
      for (const d of decisions) assert.equal(d.retryAfter, 0);
    });
  }

  test('the reset time is when the bucket is full again, in epoch seconds', async () => {
    const k = key();
    const decisions = await inSequence(4, () => consume(k, { burst: 4, per_second: 2 }, t0));
    // Four tokens at 500 ms each: full again 2 s later.
    assert.equal(decisions.at(-1)!.reset, Math.ceil((t0 + 2000) / 1000));
    assert.ok(decisions.every((d) => d.reset >= t0 / 1000));
  });

  test('Retry-After is the wait for the next token, read from the stored state', async () => {
    const k = key();
    const bucket = { burst: 2, per_second: 0.25 }; // one token per 4 s
    await inSequence(2, () => consume(k, bucket, t0));
    const refused = await consume(k, bucket, t0 + 1000);
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfter, 3);
  });

  test('tokens come back as time passes (refill), one per interval', async () => {
    const k = key();
    const bucket = { burst: 5, per_second: 5 }; // one token per 200 ms
    await inSequence(5, () => consume(k, bucket, t0));
    assert.equal((await consume(k, bucket, t0 + 100)).allowed, false);
    assert.equal((await consume(k, bucket, t0 + 200)).allowed, true);
    assert.equal((await consume(k, bucket, t0 + 200)).allowed, false);
    const later = await inSequence(3, () => consume(k, bucket, t0 + 800));
    assert.deepEqual(later.map((d) => d.allowed), [true, true, true]);
    assert.equal((await consume(k, bucket, t0 + 800)).allowed, false);
  });

  test('a bucket left alone long enough is full again, never fuller', async () => {
    const k = key();
    const bucket = { burst: 5, per_second: 5 };
    await inSequence(5, () => consume(k, bucket, t0));
    const decisions = await inSequence(7, () => consume(k, bucket, t0 + 60_000));
    assert.equal(allowedCount(decisions), 5);
  });

  test('keys are independent', async () => {
    const [a, b] = [key(), key()];
    const bucket = { burst: 2, per_second: 1 };
    await inSequence(3, () => consume(a, bucket, t0));
    assert.equal((await consume(b, bucket, t0)).allowed, true);
  });

  test('concurrent requests in one instance never pass more than the burst', async () => {
    const k = key();
    const bucket = { burst: 20, per_second: 10 };
    const decisions = await Promise.all(Array.from({ length: 60 }, () => consume(k, bucket, t0)));
    const allowed = allowedCount(decisions);
    assert.ok(allowed <= 20 && allowed >= 1, `allowed ${allowed}`);
  });

  test('two instances taking turns share the burst exactly: leases are neither lost nor doubled', async () => {
    const k = key();
    const bucket = { burst: 20, per_second: 10 };
    assert.ok(Math.floor(bucket.burst * defaults.leaseFraction) > 1, 'the bucket is large enough for leases of several tokens');
    const decisions = await inSequence(30, (i) => (i % 2 === 0 ? consume : other.consume)(k, bucket, t0));
    assert.equal(allowedCount(decisions), 20);
    assert.deepEqual(decisions.slice(20).map((d) => d.allowed), Array(10).fill(false));
  });

  test('two instances consuming concurrently never pass more than the burst together', async () => {
    const k = key();
    const bucket = { burst: 50, per_second: 10 };
    const decisions = await Promise.all(Array.from({ length: 160 }, (_, i) => (i % 2 === 0 ? consume : other.consume)(k, bucket, t0)));
    const allowed = allowedCount(decisions);
    assert.ok(allowed <= 50 && allowed >= 10, `allowed ${allowed}`);
  });

  test("a lease does not outlive its time: after leaseMs an instance asks DynamoDB again", async () => {
    const k = key();
    const bucket = { burst: 20, per_second: 0.001 }; // practically no refill
    assert.equal((await consume(k, bucket, t0)).allowed, true); // leases a few tokens
    await inSequence(18, () => other.consume(k, bucket, t0)); // the other instance drains the rest
    const afterLease = await consume(k, bucket, t0 + defaults.leaseMs + 1);
    assert.equal(afterLease.allowed, false);
  });
});
