import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { resetRuntimeConfig } from '../../../shared/config.ts';
import { OAuthError } from '../../../shared/errors.ts';
import { rateLimit } from '../../../shared/http/rate-limit.ts';
import { emptySettings } from '../../../shared/store/tenant-config.ts';
import type { RateLimitSetting, TenantConfig } from '../../../shared/tenant/model.ts';
import { useLocalTables } from '../../support/local-tables.ts';

// Practically no refill during a test, so the counts do not depend on the clock.
const slow = (burst: number): RateLimitSetting => ({ burst, per_second: 0.0001 });
const tenantWith = (rate_limits: Record<string, RateLimitSetting>): TenantConfig => ({
  settings: { ...emptySettings, rate_limits },
  clients: new Map(),
  resourceServers: new Map(),
  clientGrants: new Map(),
  connections: new Map(),
  customDomains: new Map(),
});

describe('rateLimit (X-RateLimit-* headers and 429s, on DynamoDB Local)', () => {
  before(async () => {
    await useLocalTables();
  });

  // First, while this process holds no lease that could answer from memory.
  test('rate limits fail open: when DynamoDB fails, the request goes through without headers', async () => {
    const previous = process.env.TABLE_RATE_LIMITS;
    process.env.TABLE_RATE_LIMITS = 'no-such-table';
    resetRuntimeConfig();
    try {
      const limiter = rateLimit({ buckets: [] });
      assert.deepEqual(await limiter(tenantWith({ global: slow(1) })), {});
    } finally {
      process.env.TABLE_RATE_LIMITS = previous;
      resetRuntimeConfig();
    }
  });

  test('headers carry the burst as limit and a remaining count going down; then a 429 with Retry-After', async () => {
    const limiter = rateLimit({ buckets: [] });
    const tenant = tenantWith({ global: slow(3) });
    const seen = [await limiter(tenant), await limiter(tenant), await limiter(tenant)];
    assert.deepEqual(seen.map((h) => h['X-RateLimit-Limit']), ['3', '3', '3']);
    assert.deepEqual(seen.map((h) => h['X-RateLimit-Remaining']), ['2', '1', '0']);
    for (const h of seen) assert.ok(Number(h['X-RateLimit-Reset']) >= Math.floor(Date.now() / 1000));
    await assert.rejects(limiter(tenant), (error: unknown) => {
      assert.ok(error instanceof OAuthError);
      assert.equal(error.statusCode, 429);
      assert.equal(error.error, 'too_many_requests');
      assert.equal(error.headers['X-RateLimit-Limit'], '3');
      assert.equal(error.headers['X-RateLimit-Remaining'], '0');
      assert.ok(Number(error.headers['Retry-After']) >= 1);
      return true;
    });
  });

  test('the tightest bucket is reported, and its exhaustion refuses', async () => {
    const limiter = rateLimit({ buckets: ['jwks'] });
    const tenant = tenantWith({ global: slow(100), jwks: slow(2) });
    const first = await limiter(tenant);
    assert.equal(first['X-RateLimit-Limit'], '2');
    assert.equal(first['X-RateLimit-Remaining'], '1');
    await limiter(tenant);
    await assert.rejects(limiter(tenant), (error: unknown) => error instanceof OAuthError && error.statusCode === 429);
  });

});
