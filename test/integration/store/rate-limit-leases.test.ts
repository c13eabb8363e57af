import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { ddb } from '../../../shared/store/ddb.ts';
import { consume, defaults } from '../../../shared/store/rate-limits.ts';
import { useLocalTables } from '../../support/local-tables.ts';

/**
 * How many DynamoDB writes the rate limiter costs: the point of leases (bench/RESULTS.md).
 * Writes are counted with a middleware on the function's own DynamoDB client.
 */
const t0 = 1_800_000_000_000;
let writes = 0;

describe('rate-limit leases: DynamoDB writes per request', () => {
  before(async () => {
    await useLocalTables();
    ddb().middlewareStack.add(
      (next) => async (args) => {
        writes++;
        return next(args);
      },
      { step: 'initialize', name: 'countWrites' },
    );
  });

  test('concurrent requests that find the lease empty share one renewal instead of each writing', async () => {
    const key = `lease#${randomUUID()}`;
    const bucket = { burst: 10_000, per_second: 10_000 };
    writes = 0;
    const decisions = await Promise.all(Array.from({ length: 40 }, () => consume(key, bucket, t0)));
    assert.equal(decisions.filter((d) => d.allowed).length, 40);
    // One lease of maxLease (50) tokens covers all 40; without sharing, each would write.
    assert.ok(writes <= 2, `${writes} writes for 40 concurrent requests`);
  });

  test('a lease spent quickly is followed by a larger one, never above 10 % of the bucket', async () => {
    const key = `lease#${randomUUID()}`;
    const bucket = { burst: 100_000, per_second: 100_000 };
    writes = 0;
    // 2,000 requests within 10 ms of (simulated) time: a fast pace.
    for (let i = 0; i < 2_000; i++) await consume(key, bucket, t0 + Math.floor(i / 200));
    const fixedLeaseWrites = Math.ceil(2_000 / defaults.maxLease);
    assert.ok(writes < fixedLeaseWrites / 2, `${writes} writes; fixed leases of ${defaults.maxLease} would take ${fixedLeaseWrites}`);

    const small = `lease#${randomUUID()}`;
    const smallBucket = { burst: 100, per_second: 100 };
    writes = 0;
    for (let i = 0; i < 100; i++) await consume(small, smallBucket, t0);
    // 10 % of a 100-token bucket is 10 tokens per lease: 100 requests need at least 10 writes.
    assert.ok(writes >= 10, `${writes} writes: leases stay within 10 % of the bucket`);
  });
});
