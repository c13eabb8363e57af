import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * Rate limits (reference §16.1): token buckets in DynamoDB, `X-RateLimit-Limit/Remaining/Reset`
 * on every answer, 429 with `Retry-After` when empty — JSON `too_many_requests` on the token
 * endpoint, plain text `Rate limit exceed` on the JWKS, which has its own bucket as well.
 *
 * No durations are asserted. Where a test needs a full bucket it waits until the server's own
 * `X-RateLimit-Reset` has passed; what is then asserted are counts and headers.
 */
const audience = 'https://api.rate.test/';
const secret = 'rate-secret-0123456789abcdefghij';
const tenant = {
  tenant: { friendly_name: 'rate limits', rate_limits: { global: { burst: 5, per_second: 1 }, jwks: { burst: 2, per_second: 1 } } },
  resourceServers: [{ name: 'API', identifier: audience, scopes: [{ value: 'read:a' }] }],
  clients: [{ name: 'm2m', client_id: 'rate-client', client_secret: secret, grant_types: ['client_credentials'] }],
  clientGrants: [{ client_id: 'rate-client', audience, scope: ['read:a'] }],
};

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

const integer = (value: string | null) => {
  assert.match(String(value), /^\d+$/, `an integer header, got ${value}`);
  return Number(value);
};

function assertRateHeaders(answer: Answer, limit: number): { remaining: number; reset: number } {
  assert.equal(answer.headers.get('x-ratelimit-limit'), String(limit));
  const remaining = integer(answer.headers.get('x-ratelimit-remaining'));
  assert.ok(remaining >= 0 && remaining < limit, `remaining ${remaining} within [0, ${limit})`);
  const reset = integer(answer.headers.get('x-ratelimit-reset'));
  // Epoch seconds, no earlier than the response itself (second resolution).
  const date = Math.floor(Date.parse(answer.headers.get('date') ?? '') / 1000);
  assert.ok(reset >= date, `reset ${reset} >= date ${date}`);
  return { remaining, reset };
}

describe('rate limits: global bucket and the JWKS bucket', () => {
  let server: LocalServer;
  before(async () => {
    server = await startLocalServer({ tenant });
  });
  after(() => server?.stop());

  const call = async (path: string, init?: RequestInit): Promise<Answer> => {
    const res = await fetch(`${server.baseUrl}${path}`, init);
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const token = (clientSecret = secret) =>
    call('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'rate-client', client_secret: clientSecret, audience }),
    });
  /** Waits until the global bucket is full again, by the server's own X-RateLimit-Reset. */
  const waitUntilGlobalFull = async () => {
    const probe = await call('/.well-known/openid-configuration');
    const reset = integer(probe.headers.get('x-ratelimit-reset'));
    await sleep(Math.max(0, reset * 1000 - Date.now()) + 150);
  };

  test('every answer carries X-RateLimit-*: discovery, a token, a refusal', async () => {
    // Three requests: the bucket still holds four after the server's readiness probe.
    const discovery = await call('/.well-known/openid-configuration');
    assert.equal(discovery.status, 200);
    const first = assertRateHeaders(discovery, 5);
    const refused = await token('wrong-secret-0123456789');
    assert.equal(refused.status, 401);
    const second = assertRateHeaders(refused, 5);
    assert.ok(second.remaining < first.remaining, 'each request takes a token');
    const issued = await token();
    assert.equal(issued.status, 200);
    assertRateHeaders(issued, 5);
  });

  test('the 6th and later rapid token requests get 429 too_many_requests with Retry-After', async () => {
    await waitUntilGlobalFull();
    const answers: Answer[] = [];
    for (let i = 0; i < 8; i++) answers.push(await token());
    assert.deepEqual(answers.slice(0, 5).map((a) => a.status), [200, 200, 200, 200, 200], 'a full bucket of 5');
    assert.deepEqual(answers.slice(0, 5).map((a) => assertRateHeaders(a, 5).remaining), [4, 3, 2, 1, 0]);
    for (const refused of answers.slice(5)) {
      assert.equal(refused.status, 429);
      const body = JSON.parse(refused.text) as { error: string; error_description: string };
      assert.equal(body.error, 'too_many_requests');
      assert.equal(typeof body.error_description, 'string');
      assert.equal(assertRateHeaders(refused, 5).remaining, 0);
      const retryAfter = integer(refused.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 5, `Retry-After ${retryAfter} within the bucket's refill time`);
    }
  });

  test('concurrent requests: the bucket never admits more than it holds', async () => {
    await waitUntilGlobalFull();
    const answers = await Promise.all(Array.from({ length: 12 }, () => token()));
    const statuses = answers.map((a) => a.status);
    assert.ok(statuses.every((s) => s === 200 || s === 429), `only 200 or 429: ${statuses}`);
    const admitted = statuses.filter((s) => s === 200).length;
    // 5 in the bucket, plus at most one refilled while the burst is in flight.
    assert.ok(admitted >= 1 && admitted <= 6, `admitted ${admitted} of 12`);
  });

  test('the JWKS has its own small bucket and answers plain text "Rate limit exceed" when it is empty', async () => {
    await waitUntilGlobalFull();
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await call('/.well-known/jwks.json'));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 429, 429]);
    for (const ok of answers.slice(0, 2)) {
      assert.ok(Array.isArray((JSON.parse(ok.text) as { keys: unknown }).keys));
      assertRateHeaders(ok, 2);
    }
    for (const refused of answers.slice(2)) {
      assert.equal(refused.text, 'Rate limit exceed');
      assert.match(String(refused.headers.get('content-type')), /^text\/plain/);
      // Limit 2: the JWKS bucket refused, not the global one (which still had tokens).
      assert.equal(assertRateHeaders(refused, 2).remaining, 0);
      assert.ok(integer(refused.headers.get('retry-after')) >= 1);
    }
    // The global bucket was not the one that ran out: discovery still answers.
    assert.equal((await call('/.well-known/openid-configuration')).status, 200);
  });
});
