import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { planTenant } from '../../../infra/tenant/plan.ts';
import { resetRuntimeConfig } from '../../../shared/config.ts';
import { sha256Base64Url } from '../../../shared/crypto/digest.ts';
import { OAuthError } from '../../../shared/errors.ts';
import { limitByKey } from '../../../shared/http/keyed-rate-limit.ts';
import { bucketDefaults } from '../../../shared/rate-limit/policy.ts';
import { emptySettings } from '../../../shared/store/tenant-config.ts';
import type { RateLimitSetting, TenantConfig } from '../../../shared/tenant/model.ts';
import { useLocalTables } from '../../support/local-tables.ts';

const tenantWith = (rate_limits: Record<string, RateLimitSetting> = {}): TenantConfig => ({
  settings: { ...emptySettings, rate_limits },
  clients: new Map(),
  resourceServers: new Map(),
  clientGrants: new Map(),
  connections: new Map(),
  customDomains: new Map(),
});

const refusal = (check: (error: OAuthError) => void) => (error: unknown) => {
  assert.ok(error instanceof OAuthError, `expected an OAuthError, got ${error}`);
  check(error);
  return true;
};

describe('limitByKey: per-user and per-IP+email buckets (Auth0 §16.3) on DynamoDB Local', () => {
  let tables: Record<string, string>;
  before(async () => {
    tables = await useLocalTables();
  });

  test('the defaults are Auth0\'s: userinfo 10 burst and 5/min, change_password 10 burst and 1/min', () => {
    assert.deepEqual(bucketDefaults.userinfo, { burst: 10, per_second: 5 / 60 });
    assert.deepEqual(bucketDefaults.change_password, { burst: 10, per_second: 1 / 60 });
  });

  test('userinfo: 10 requests for one user pass with X-RateLimit-* counting down, the 11th is a 429 with Retry-After', async () => {
    const tenant = tenantWith();
    const user = `auth0|${randomUUID()}`;
    const start = Math.floor(Date.now() / 1000);
    const seen = [];
    for (let i = 0; i < 10; i++) seen.push(await limitByKey(tenant, 'userinfo', user));
    assert.deepEqual(seen.map((h) => h['X-RateLimit-Limit']), Array(10).fill('10'));
    assert.deepEqual(seen.map((h) => h['X-RateLimit-Remaining']), ['9', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
    // Reset is when the bucket is full again: ten tokens at 12 s each, about 120 s from now.
    const reset = Number(seen.at(-1)!['X-RateLimit-Reset']);
    assert.ok(reset >= start + 115 && reset <= start + 125, `reset ${reset} vs now ${start}`);
    await assert.rejects(
      limitByKey(tenant, 'userinfo', user),
      refusal((error) => {
        assert.equal(error.statusCode, 429);
        assert.equal(error.error, 'too_many_requests');
        assert.equal(error.headers['X-RateLimit-Limit'], '10');
        assert.equal(error.headers['X-RateLimit-Remaining'], '0');
        const retryAfter = Number(error.headers['Retry-After']);
        assert.ok(retryAfter >= 1 && retryAfter <= 12, `Retry-After ${retryAfter}: one token comes back every 12 s`);
      }),
    );
  });

  test('keys are independent: another user still has a full bucket', async () => {
    const tenant = tenantWith({ userinfo: { burst: 1, per_second: 1 / 60 } });
    const a = `auth0|${randomUUID()}`;
    await limitByKey(tenant, 'userinfo', a);
    await assert.rejects(limitByKey(tenant, 'userinfo', a), refusal((e) => assert.equal(e.statusCode, 429)));
    const other = await limitByKey(tenant, 'userinfo', `auth0|${randomUUID()}`);
    assert.equal(other['X-RateLimit-Remaining'], '0');
    assert.equal(other['X-RateLimit-Limit'], '1');
  });

  test('buckets are independent: the same key in change_password is not userinfo\'s', async () => {
    const tenant = tenantWith({ userinfo: { burst: 1, per_second: 1 / 60 }, change_password: { burst: 1, per_second: 1 / 60 } });
    const key = randomUUID();
    await limitByKey(tenant, 'userinfo', key);
    assert.equal((await limitByKey(tenant, 'change_password', key))['X-RateLimit-Limit'], '1');
  });

  test('a tenant override (tenant.rate_limits) is honoured, per_minute in the tenant file included', async () => {
    const plan = planTenant({ tenant: { rate_limits: { change_password: { burst: 3, per_minute: 2 }, userinfo: { burst: 4, per_second: 1 } } } }, undefined);
    assert.deepEqual(plan.settings.rate_limits.change_password, { burst: 3, per_second: 2 / 60 });
    assert.deepEqual(plan.settings.rate_limits.userinfo, { burst: 4, per_second: 1 });
    assert.throws(() => planTenant({ tenant: { rate_limits: { userinfo: { burst: 4, per_second: 1, per_minute: 60 } } } }, undefined), /exclusive/);
    assert.throws(() => planTenant({ tenant: { rate_limits: { userinfo: { burst: 4, per_minute: 0.5 } } } }, undefined), /per_minute/);

    const tenant = tenantWith(plan.settings.rate_limits);
    const key = `192.0.2.1 ${randomUUID()}@example.com`;
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(await limitByKey(tenant, 'change_password', key));
    assert.deepEqual(seen.map((h) => h['X-RateLimit-Remaining']), ['2', '1', '0']);
    await assert.rejects(
      limitByKey(tenant, 'change_password', key),
      refusal((e) => assert.ok(Number(e.headers['Retry-After']) <= 30, 'one token every 30 s')),
    );
  });

  test('the key is stored only as a hash', async () => {
    const email = `secret-${randomUUID()}@example.com`;
    await limitByKey(tenantWith(), 'change_password', `192.0.2.9 ${email}`);
    const raw = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
    const items = await raw.send(new ScanCommand({ TableName: tables.rateLimits }));
    const keys = (items.Items ?? []).map((i) => i.pk?.S ?? '');
    assert.ok(keys.includes(`change_password#${sha256Base64Url(`192.0.2.9 ${email}`)}`));
    assert.ok(!keys.some((k) => k.includes(email)), 'no key holds the email in clear');
  });

  test('an unknown bucket is a programming error, not a silent pass', async () => {
    await assert.rejects(limitByKey(tenantWith(), 'nope', 'x'), /unknown bucket/);
    await assert.rejects(limitByKey(tenantWith(), '__proto__', 'x'), /unknown bucket/);
  });

  test('it fails open when DynamoDB fails: no headers, no refusal', async () => {
    const previous = process.env.TABLE_RATE_LIMITS;
    process.env.TABLE_RATE_LIMITS = 'no-such-table';
    resetRuntimeConfig();
    try {
      assert.deepEqual(await limitByKey(tenantWith(), 'userinfo', `auth0|${randomUUID()}`), {});
    } finally {
      process.env.TABLE_RATE_LIMITS = previous;
      resetRuntimeConfig();
    }
  });
});
