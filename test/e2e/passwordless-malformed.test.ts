import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { CookieJar, inputValue, send, type HttpAnswer } from '../support/http-browser.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * Bad input to the passwordless login never gets a 5xx (DESIGN.md): fast-check throws odd
 * bodies at the passwordless OTP grant (JSON errors in Auth0's shape), odd magic links at
 * GET /passwordless/verify_redirect and odd forms at /u/login-passwordless (4xx pages or a
 * redirect to the verified redirect_uri).
 */
const otpGrant = 'http://auth0.com/oauth/grant-type/passwordless/otp';
const callbackUrl = 'https://app.pwl-malformed.test/callback';
const tenant = {
  tenant: {
    friendly_name: 'Malformed Passwordless',
    rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 }, passwordless_start: { burst: 100_000, per_second: 1000 }, sms: { burst: 100_000, per_second: 1000 } },
  },
  attackProtection: { suspiciousIpThrottling: { enabled: true, allowlist: ['127.0.0.1'] } },
  clients: [
    { name: 'App', client_id: 'app', app_type: 'native', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', otpGrant], callbacks: [callbackUrl] },
    { name: 'Web', client_id: 'web', client_secret: 'web-secret-0123456789abcdefghijkl', app_type: 'regular_web', token_endpoint_auth_method: 'client_secret_post', grant_types: [otpGrant], callbacks: [callbackUrl] },
  ],
  connections: [
    { name: 'email', strategy: 'email', enabled_clients: ['app', 'web'], options: {} },
    { name: 'sms', strategy: 'sms', enabled_clients: ['app'], options: {} },
    { name: 'Users', strategy: 'auth0', enabled_clients: ['app'] },
  ],
};

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '%', '%zz', '\u0000', 'a'.repeat(5000), '123456', '+15550001111', 'a@b.test', 'A@B.TEST ', '__proto__'),
);
const pairs = (names: readonly string[]) => fc.array(fc.tuple(fc.constantFrom(...names), text), { maxLength: 8 });
const encode = (list: readonly (readonly [string, string])[]) => list.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

describe('passwordless login with malformed input', () => {
  let server: LocalServer;
  before(async () => {
    server = await startLocalServer({ tenant });
  });
  after(() => server?.stop());

  const outbox = async () =>
    (await readFile(join(server.dataDir, 'outbox.jsonl'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { to: string });
  const assertNo5xx = (answer: HttpAnswer, what: string) => assert.ok(answer.status < 500, `${what} → ${answer.status}: ${answer.body.slice(0, 300)}`);

  test('the passwordless OTP grant: odd bodies get a 4xx JSON error, never a 5xx', async () => {
    const names = ['realm', 'username', 'otp', 'client_id', 'client_secret', 'scope', 'audience', 'grant_type', 'x'];
    const realm = fc.constantFrom('email', 'sms', 'Users', 'nope', '');
    const clientId = fc.constantFrom('app', 'web', 'nobody');
    await fc.assert(
      fc.asyncProperty(realm, clientId, pairs(names), fc.constantFrom('form', 'json', 'raw'), async (r, c, extra, kind) => {
        const base: [string, string][] = [['grant_type', otpGrant], ['client_id', c], ['realm', r]];
        const all = [...base, ...extra];
        const body = kind === 'json' ? JSON.stringify(Object.fromEntries(all)) : kind === 'form' ? encode(all) : extra.map(([, v]) => v).join('');
        const contentType = kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
        const answer = await send(server.baseUrl, '/oauth/token', { method: 'POST', body, headers: { 'content-type': contentType } });
        assertNo5xx(answer, `POST /oauth/token ${body.slice(0, 200)}`);
        assert.ok(answer.status >= 400, 'no guess logs in');
        const json = JSON.parse(answer.body) as { error?: unknown; error_description?: unknown };
        assert.equal(typeof json.error, 'string');
        assert.equal(typeof json.error_description, 'string');
      }),
      { numRuns: 120 },
    );
  });

  test('GET /passwordless/verify_redirect: odd magic links never get a 5xx', async () => {
    const names = ['client_id', 'redirect_uri', 'response_type', 'response_mode', 'scope', 'state', 'nonce', 'connection', 'email', 'phone_number', 'verification_code', 'code_challenge', 'code_challenge_method', 'audience', 'prompt'];
    const valid: [string, string][] = [
      ['client_id', 'app'],
      ['redirect_uri', callbackUrl],
      ['response_type', 'code'],
      ['connection', 'email'],
      ['email', 'someone@example.com'],
      ['verification_code', '123456'],
      ['code_challenge', createHash('sha256').update('v').digest('base64url')],
      ['code_challenge_method', 'S256'],
    ];
    await fc.assert(
      fc.asyncProperty(fc.subarray(valid), pairs(names), async (kept, extra) => {
        const query = encode([...kept, ...extra]);
        const answer = await send(server.baseUrl, `/passwordless/verify_redirect?${query}`);
        assertNo5xx(answer, `GET /passwordless/verify_redirect?${query.slice(0, 300)}`);
        if (answer.status === 302) assert.ok(answer.location?.startsWith(callbackUrl), `only to the registered callback: ${answer.location}`);
        if (answer.location?.startsWith(callbackUrl)) assert.equal(new URL(answer.location).searchParams.get('code'), null, 'no guess logs in');
      }),
      { numRuns: 120 },
    );
  });

  /** A live transaction for this jar on the passwordless page, with its CSRF token. */
  async function transaction(jar: CookieJar, connection: string): Promise<{ state: string; csrf: string }> {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: 'app',
      redirect_uri: callbackUrl,
      scope: 'openid',
      connection,
      code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const started = await send(server.baseUrl, `/authorize?${query}`, { jar });
    assert.equal(started.status, 302, started.body);
    const location = new URL(started.location!, server.baseUrl);
    assert.equal(location.pathname, '/u/login-passwordless');
    const page = await send(server.baseUrl, location.pathname + location.search, { jar });
    assert.equal(page.status, 200, page.body);
    return { state: inputValue(page.body, 'state')!, csrf: inputValue(page.body, '_csrf')! };
  }

  test('/u/login-passwordless: a transaction that named a connection keeps it — another ?connection= is a 400 page, nothing sent', async () => {
    const jar = new CookieJar();
    const { state, csrf } = await transaction(jar, 'email');
    const page = (connection?: string) => `/u/login-passwordless?state=${encodeURIComponent(state)}${connection === undefined ? '' : `&connection=${encodeURIComponent(connection)}`}`;
    for (const other of ['sms', 'Users', 'nope']) {
      const shown = await send(server.baseUrl, page(other), { jar });
      assert.equal(shown.status, 400, `GET connection=${other}`);
      assert.match(String(shown.headers['content-type']), /^text\/html/);
      assert.doesNotMatch(shown.body, /name="phone_number"/);
    }
    const phone = `+1555${String(randomBytes(3).readUIntBE(0, 3) % 10_000_000).padStart(7, '0')}`;
    const posted = await send(server.baseUrl, page('sms'), { jar, method: 'POST', body: encode([['state', state], ['_csrf', csrf], ['phone_number', phone]]), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(posted.status, 400, 'no SMS login for an email transaction');
    assert.ok(!(await outbox()).some((m) => m.to === phone), 'nothing sent');
    // Its own connection, named or not, is the email form, offering no other connection.
    for (const same of ['email', undefined]) {
      const shown = await send(server.baseUrl, page(same), { jar });
      assert.equal(shown.status, 200, shown.body);
      assert.match(shown.body, /name="email"/);
      assert.doesNotMatch(shown.body, /code by SMS/);
    }

    // A transaction that asked for the database connection cannot be switched to passwordless.
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: 'app',
      redirect_uri: callbackUrl,
      scope: 'openid',
      connection: 'Users',
      code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const started = await send(server.baseUrl, `/authorize?${query}`, { jar });
    assert.equal(started.status, 302, started.body);
    const login = new URL(started.location!, server.baseUrl);
    assert.equal(login.pathname, '/u/login');
    const switched = await send(server.baseUrl, `/u/login-passwordless?state=${encodeURIComponent(login.searchParams.get('state')!)}&connection=email`, { jar });
    assert.equal(switched.status, 400, switched.body.slice(0, 300));
    assert.doesNotMatch(switched.body, /name="email"/);
  });

  test('/u/login-passwordless: odd queries and forms, with and without a live transaction and CSRF token, never a 5xx', async () => {
    const jar = new CookieJar();
    const live = { email: await transaction(jar, 'email'), sms: await transaction(jar, 'sms') };
    const fields = ['email', 'phone_number', 'code', 'state', '_csrf', 'connection', 'x'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('email', 'sms', 'Users', 'nope', ''),
        fc.boolean(),
        fc.constantFrom('GET', 'POST'),
        pairs(fields),
        fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', ''),
        async (connection, withTransaction, method, form, contentType) => {
          const txn = connection === 'sms' ? live.sms : live.email;
          const state = withTransaction ? txn.state : 'not-a-transaction';
          const base: [string, string][] = withTransaction ? [['state', txn.state], ['_csrf', txn.csrf]] : [];
          const path = `/u/login-passwordless?state=${encodeURIComponent(state)}&connection=${encodeURIComponent(connection)}`;
          const body = contentType === 'application/json' ? JSON.stringify(Object.fromEntries([...base, ...form])) : encode([...base, ...form]);
          const answer = await send(server.baseUrl, path, method === 'GET' ? { jar } : { jar, method: 'POST', body, headers: { 'content-type': contentType } });
          assertNo5xx(answer, `${method} ${path} ${body.slice(0, 200)}`);
          if (answer.status >= 400) assert.match(String(answer.headers['content-type']), /^text\/html/);
        },
      ),
      { numRuns: 120 },
    );
  });
});
