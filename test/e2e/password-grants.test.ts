import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
// node-auth0 v7 keeps the v4 AuthenticationClient under `auth0/legacy` (see auth0-sdk.test.ts).
import { AuthApiError, AuthenticationClient } from 'auth0/legacy';
import fc from 'fast-check';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { form, jsonOf, rawRequest, type RawResponse } from '../support/http-client.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * The password grants end to end (reference §3.4, §16.5, §16.6): the auth0 SDK's
 * `oauth.passwordGrant` (with and without `realm`) and its ID-token validation, Auth0's
 * refusals, brute-force blocks and their unblock link, suspicious-IP throttling of logins and
 * signups, and `auth0-forwarded-for` believed only from trusted confidential clients.
 *
 * Each scenario needs its own end-user IP. Trusted backends name it in `auth0-forwarded-for`;
 * everything else comes through the tenant's custom-domain proxy (`cname-api-key`), whose
 * `X-Forwarded-For` is the socket IP the server believes — as behind a real edge.
 */
const domain = 'pw.example.test';
const issuer = `https://${domain}/`;
const audience = 'https://api.pw.test/';
const proxyDomain = 'login.pw.test';
const proxyKey = 'pw-proxy-key-0123456789abcdef';
const secret = 'backend-secret-0123456789abcdefghij';
const untrustedSecret = 'untrusted-secret-0123456789abcdefg';
const realmGrant = 'http://auth0.com/oauth/grant-type/password-realm';
const grants = ['password', realmGrant, 'refresh_token'];
const passwordOf = (who: string) => `Correct-Horse-${who}-42!`;
const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan'];
const emailOf = (who: string) => `${who}@pw.example.test`;

const blockedText = "Your account has been blocked after multiple consecutive login attempts. We've sent you an email with instructions on how to unblock it.";
const suspiciousText = 'We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.';

const tenant = {
  tenant: {
    friendly_name: 'Password grants',
    default_directory: 'Users',
    rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 } },
  },
  attackProtection: {
    bruteForceProtection: { enabled: true, max_attempts: 10, shields: ['block', 'user_notification'], mode: 'count_per_identifier_and_ip', allowlist: ['198.51.100.250'] },
    suspiciousIpThrottling: {
      enabled: true,
      shields: ['block'],
      // The brute-force scenarios fail 10 times from one IP: their range is exempt from this.
      allowlist: ['198.51.100.0/24'],
      // No refill during a test run: the counts do not depend on the clock.
      stage: { 'pre-login': { max_attempts: 3, rate: 864_000 }, 'pre-user-registration': { max_attempts: 3, rate: 600_000 } },
    },
  },
  customDomains: [{ domain: proxyDomain, type: 'self_managed_certs', cname_api_key: proxyKey }],
  resourceServers: [{ name: 'API', identifier: audience, scopes: [{ value: 'read:a' }], allow_offline_access: true }],
  clients: [
    { name: 'spa', client_id: 'pw-spa', app_type: 'spa', token_endpoint_auth_method: 'none', grant_types: grants, callbacks: ['http://localhost:8080/cb'] },
    { name: 'backend', client_id: 'pw-backend', client_secret: secret, token_endpoint_auth_method: 'client_secret_post', grant_types: grants, is_token_endpoint_ip_header_trusted: true },
    { name: 'untrusted', client_id: 'pw-untrusted', client_secret: untrustedSecret, token_endpoint_auth_method: 'client_secret_post', grant_types: grants },
    { name: 'outsider', client_id: 'pw-outsider', client_secret: secret, token_endpoint_auth_method: 'client_secret_post', grant_types: grants },
  ],
  connections: [
    { name: 'Users', strategy: 'auth0', enabled_clients: ['spa', 'backend', 'untrusted'] },
    { name: 'Elsewhere', strategy: 'auth0', enabled_clients: ['backend'] },
  ],
  users: users.map((who) => ({ connection: 'Users', email: emailOf(who), username: who, password: passwordOf(who), email_verified: true })),
};

interface OAuthBody {
  error?: string;
  error_description?: string;
  access_token?: string;
  id_token?: string;
  refresh_token?: string;
  token_type?: string;
  scope?: string;
  expires_in?: number;
}

describe('password and password-realm grants, with attack protection', () => {
  let server: LocalServer;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  /** POST /oauth/token straight to the server (socket IP 127.0.0.1). */
  const token = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    rawRequest(`${server.baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form(params), timeoutMs: 20_000 });
  /** POST /oauth/token through the custom-domain proxy, from end-user IP `ip`. */
  const tokenFrom = (ip: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
    token(params, { host: proxyDomain, 'cname-api-key': proxyKey, 'x-forwarded-for': ip, ...headers });
  const backend = (who: string, password: string, ip: string, extra: Record<string, string> = {}) =>
    token({ grant_type: 'password', client_id: 'pw-backend', client_secret: secret, username: emailOf(who), password, ...extra }, { 'auth0-forwarded-for': ip });
  const spa = (ip: string, who: string, password: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    tokenFrom(ip, { grant_type: 'password', client_id: 'pw-spa', username: emailOf(who), password, ...extra }, headers);

  const body = (res: RawResponse) => jsonOf<OAuthBody>(res);
  const assertError = (res: RawResponse, status: number, error: string, description?: string) => {
    assert.equal(res.status, status, res.body);
    assert.equal(body(res).error, error, res.body);
    if (description !== undefined) assert.equal(body(res).error_description, description);
  };
  const assertTokens = (res: RawResponse) => {
    assert.equal(res.status, 200, res.body);
    assert.equal(body(res).token_type, 'Bearer');
    assert.equal(typeof body(res).access_token, 'string');
    return body(res);
  };

  /** The SDK's requests to https://pw.example.test, delivered to the local listener. */
  const sdkFetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    assert.equal(url.origin, issuer.slice(0, -1));
    // The SDK passes its `agent` option on as an undici dispatcher; ours is for the JWKS only.
    const { dispatcher: _, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
    return fetch(`${server.baseUrl}${url.pathname}${url.search}`, rest);
  };
  /**
   * The SDK's ID-token validator fetches https://pw.example.test/.well-known/jwks.json with
   * node:https and the SDK's `agent`: this agent hands it a plain connection to the local
   * listener, as a TLS-terminating proxy would.
   */
  const jwksAgent = () => {
    const agent = new Agent({ keepAlive: false });
    (agent as unknown as { createConnection: () => unknown }).createConnection = () => connect(server.port, '127.0.0.1');
    return agent;
  };
  const sdk = (clientId = 'pw-backend', clientSecret = secret) =>
    new AuthenticationClient({
      domain,
      clientId,
      clientSecret,
      fetch: sdkFetch,
      agent: jwksAgent() as never,
      idTokenSigningAlg: 'RS256',
      clockTolerance: 60,
    });

  const outbox = async () =>
    (await readFile(join(server.dataDir, 'outbox.jsonl'), 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { to: string; template: string; link?: string });

  before(async () => {
    server = await startLocalServer({ tenant, issuer });
    jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
  });
  after(() => server?.stop());

  describe('success', () => {
    test('the auth0 SDK: oauth.passwordGrant (grant_type=password, the Default Directory), ID token validated by the SDK', async () => {
      const { data, status } = await sdk().oauth.passwordGrant({ username: emailOf('alice'), password: passwordOf('alice'), audience, scope: 'openid profile email offline_access read:a' });
      assert.equal(status, 200);
      assert.equal(data.token_type, 'Bearer');
      assert.equal(typeof data.refresh_token, 'string', 'offline_access on an API that allows it');
      const id = await jwtVerify(data.id_token!, jwks, { issuer, audience: 'pw-backend' });
      assert.match(String(id.payload.sub), /^auth0\|[0-9a-f]{24}$/);
      assert.equal(id.payload.email, emailOf('alice'));
      const at = await jwtVerify(data.access_token, jwks, { issuer });
      assert.equal(at.payload.sub, id.payload.sub);
      assert.equal(at.payload.gty, 'password');
      assert.equal(at.payload.azp, 'pw-backend');
      assert.ok([at.payload.aud].flat().includes(audience));
      assert.match(String(at.payload.scope), /read:a/);
      assert.ok(!('refreshFamilyId' in data), 'internal fields stay inside');
    });

    test('the auth0 SDK with `realm` (password-realm grant), by username too', async () => {
      const { data } = await sdk().oauth.passwordGrant({ username: 'bob', password: passwordOf('bob'), realm: 'Users', scope: 'openid' });
      const id = decodeJwt(data.id_token!);
      assert.equal(id.aud, 'pw-backend');
      assert.equal(typeof data.access_token, 'string');
    });

    test('a public client (no secret) uses both grants', async () => {
      const viaPassword = assertTokens(await spa('192.0.2.1', 'carol', passwordOf('carol'), { scope: 'openid' }));
      assert.equal(decodeJwt(viaPassword.id_token!).aud, 'pw-spa');
      const viaRealm = assertTokens(await tokenFrom('192.0.2.1', { grant_type: realmGrant, client_id: 'pw-spa', realm: 'Users', username: 'carol', password: passwordOf('carol'), scope: 'openid' }));
      assert.equal(typeof viaRealm.id_token, 'string');
    });

    test('no scope with an API audience: all of the API\'s scopes (reference §3.4), so no ID token; no audience: openid', async () => {
      const withApi = assertTokens(await backend('carol', passwordOf('carol'), '192.0.2.7', { audience }));
      assert.equal(withApi.scope, 'read:a');
      assert.equal(withApi.id_token, undefined);
      const userinfoOnly = assertTokens(await spa('192.0.2.7', 'carol', passwordOf('carol')));
      assert.equal(userinfoOnly.scope, 'openid');
    });

    test('JSON bodies work as form bodies do', async () => {
      const res = await rawRequest(`${server.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'password', client_id: 'pw-backend', client_secret: secret, username: emailOf('carol'), password: passwordOf('carol') }),
      });
      assertTokens(res);
    });
  });

  describe("Auth0's refusals", () => {
    test('a wrong password and an unknown user get the same 403 invalid_grant "Wrong email or password."', async () => {
      const wrong = await backend('dave', 'not-the-password', '198.51.100.1');
      const unknown = await backend('nobody-at-all', 'not-the-password', '198.51.100.1');
      for (const res of [wrong, unknown]) assertError(res, 403, 'invalid_grant', 'Wrong email or password.');
      assert.equal(wrong.body, unknown.body);
    });

    test('the SDK surfaces the wrong password as an AuthApiError', async () => {
      await assert.rejects(sdk().oauth.passwordGrant({ username: emailOf('dave'), password: 'nope', realm: 'Users' }), (error: unknown) => {
        assert.ok(error instanceof AuthApiError, String(error));
        assert.equal(error.statusCode, 403);
        assert.equal(error.error, 'invalid_grant');
        assert.equal(error.error_description, 'Wrong email or password.');
        return true;
      });
    });

    test('identifiers no user can have (very long, lone surrogates) are the same 403, not a server error', async () => {
      for (const username of ['x'.repeat(5000), `a@${'b'.repeat(3000)}`, '\ud800abc', 'caf\u00e9@\u4f8b.test']) {
        const res = await rawRequest(`${server.baseUrl}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', host: proxyDomain, 'cname-api-key': proxyKey, 'x-forwarded-for': '198.51.100.40' },
          body: JSON.stringify({ grant_type: 'password', client_id: 'pw-spa', username, password: 'whatever' }),
        });
        assertError(res, 403, 'invalid_grant', 'Wrong email or password.');
      }
    });

    test('username and password are required: 400 invalid_request', async () => {
      const base = { grant_type: 'password', client_id: 'pw-backend', client_secret: secret };
      assertError(await token({ ...base, password: 'x' }), 400, 'invalid_request');
      assertError(await token({ ...base, username: emailOf('dave') }), 400, 'invalid_request');
      assertError(await token({ ...base, grant_type: realmGrant, realm: 'Users', username: emailOf('dave') }), 400, 'invalid_request');
    });

    test('realm: unknown → "the connection was not found", not enabled for the client → "the connection was disabled"', async () => {
      const base = { grant_type: realmGrant, client_id: 'pw-untrusted', client_secret: untrustedSecret, username: emailOf('dave'), password: passwordOf('dave') };
      assertError(await token({ ...base, realm: 'Nowhere' }), 400, 'invalid_request', 'the connection was not found');
      assertError(await token({ ...base, realm: '__proto__' }), 400, 'invalid_request', 'the connection was not found');
      assertError(await token({ ...base, realm: 'Elsewhere' }), 400, 'invalid_request', 'the connection was disabled');
      // The Default Directory not enabled for the client: the same answer from the password grant.
      const outsider = await token({ grant_type: 'password', client_id: 'pw-outsider', client_secret: secret, username: emailOf('dave'), password: passwordOf('dave') });
      assertError(outsider, 400, 'invalid_request', 'the connection was disabled');
    });

    test('an unknown audience is 403 access_denied', async () => {
      assertError(await backend('dave', passwordOf('dave'), '198.51.100.2', { audience: 'https://unknown.example/' }), 403, 'access_denied');
    });
  });

  describe('brute-force protection', () => {
    test('10 failures block the identifier from that IP only (429 too_many_attempts, even with the right password); the emailed unblock link lifts it once', async () => {
      const ip = '198.51.100.10';
      for (let i = 0; i < 10; i++) assertError(await backend('erin', `wrong-${i}`, ip), 403, 'invalid_grant', 'Wrong email or password.');
      assertError(await backend('erin', passwordOf('erin'), ip), 429, 'too_many_attempts', blockedText);
      assertError(await backend('erin', 'wrong-again', ip), 429, 'too_many_attempts', blockedText);
      // Another IP is not blocked.
      assertTokens(await backend('erin', passwordOf('erin'), '198.51.100.11'));

      const mails = (await outbox()).filter((m) => m.to === emailOf('erin') && m.template === 'blocked_account');
      assert.equal(mails.length, 1, 'one notification');
      const link = new URL(mails[0]!.link!);
      assert.equal(`${link.origin}${link.pathname}`, `${issuer}u/unblock`);
      const page = await rawRequest(`${server.baseUrl}${link.pathname}${link.search}`);
      assert.equal(page.status, 200, page.body);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(page.body, /unblocked/i);
      assertTokens(await backend('erin', passwordOf('erin'), ip));

      const again = await rawRequest(`${server.baseUrl}${link.pathname}${link.search}`);
      assert.equal(again.status, 400, 'an unblock link works once');
      assert.match(String(again.headers['content-type']), /^text\/html/);
      assert.equal((await rawRequest(`${server.baseUrl}/u/unblock?ticket=${'x'.repeat(43)}`)).status, 400);
      assert.equal((await rawRequest(`${server.baseUrl}/u/unblock`)).status, 400);
    });

    test('a password reset lifts the block', async () => {
      const ip = '198.51.100.15';
      for (let i = 0; i < 10; i++) await backend('ivan', `wrong-${i}`, ip);
      assertError(await backend('ivan', passwordOf('ivan'), ip), 429, 'too_many_attempts', blockedText);
      const asked = await rawRequest(`${server.baseUrl}/dbconnections/change_password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'pw-spa', connection: 'Users', email: emailOf('ivan') }),
      });
      assert.equal(asked.status, 200, asked.body);
      const reset = (await outbox()).filter((m) => m.to === emailOf('ivan') && m.template === 'reset_password').at(-1);
      assert.ok(reset?.link, 'a reset email with a link');
      const ticket = new URL(reset.link).searchParams.get('ticket')!;
      const changed = await rawRequest(`${server.baseUrl}/u/reset-password`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ ticket, password: 'A-New-Password-2027!' }),
      });
      assert.equal(changed.status, 200, changed.body);
      assertTokens(await backend('ivan', 'A-New-Password-2027!', ip));
    });

    test('a successful login resets the count', async () => {
      const ip = '198.51.100.20';
      for (let i = 0; i < 9; i++) await backend('frank', `wrong-${i}`, ip);
      assertTokens(await backend('frank', passwordOf('frank'), ip));
      for (let i = 0; i < 9; i++) assertError(await backend('frank', `wrong-${i}`, ip), 403, 'invalid_grant');
      assertTokens(await backend('frank', passwordOf('frank'), ip));
    });

    test('unknown identifiers are counted too (and no email goes out for them)', async () => {
      const ip = '198.51.100.30';
      for (let i = 0; i < 10; i++) assertError(await backend('ghost', `wrong-${i}`, ip), 403, 'invalid_grant');
      assertError(await backend('ghost', 'wrong', ip), 429, 'too_many_attempts', blockedText);
      assert.equal((await outbox()).filter((m) => m.to === emailOf('ghost')).length, 0);
    });

    test('an allowlisted IP is never blocked', async () => {
      for (let i = 0; i < 12; i++) assertError(await backend('grace', `wrong-${i}`, '198.51.100.250'), 403, 'invalid_grant');
      assertTokens(await backend('grace', passwordOf('grace'), '198.51.100.250'));
    });
  });

  describe('auth0-forwarded-for', () => {
    test('a trusted confidential client names the end-user IP (each IP its own brute-force pair)', async () => {
      // 10 failures spread over 10 forwarded IPs: no pair reaches 10, so nothing is blocked.
      for (let i = 0; i < 10; i++) assertError(await backend('heidi', 'wrong', `198.51.100.${100 + i}`), 403, 'invalid_grant');
      assertTokens(await backend('heidi', passwordOf('heidi'), '198.51.100.100'));
    });

    test('ignored from a public client: its failures count against its real IP, whatever it forwards', async () => {
      const real = '203.0.113.10';
      for (let i = 0; i < 3; i++) {
        assertError(await spa(real, 'heidi', 'wrong', {}, { 'auth0-forwarded-for': `198.51.100.${200 + i}` }), 403, 'invalid_grant');
      }
      // Three failures from one real IP spend its suspicious-IP budget (3 here): the next attempt,
      // right password and a fresh forwarded IP included, is refused.
      assertError(await spa(real, 'heidi', passwordOf('heidi'), {}, { 'auth0-forwarded-for': '198.51.100.210' }), 429, 'too_many_attempts', suspiciousText);
    });

    test('ignored from a confidential client that is not trusted', async () => {
      const real = '203.0.113.20';
      const untrusted = (password: string, forwarded: string) =>
        tokenFrom(real, { grant_type: 'password', client_id: 'pw-untrusted', client_secret: untrustedSecret, username: emailOf('heidi'), password }, { 'auth0-forwarded-for': forwarded });
      for (let i = 0; i < 3; i++) assertError(await untrusted('wrong', `198.51.100.${220 + i}`), 403, 'invalid_grant');
      assertError(await untrusted(passwordOf('heidi'), '198.51.100.230'), 429, 'too_many_attempts', suspiciousText);
      // The trusted backend, forwarding an allowlisted IP, still logs heidi in.
      assertTokens(await backend('heidi', passwordOf('heidi'), '198.51.100.231'));
    });
  });

  describe('suspicious-IP throttling', () => {
    test('logins: after pre-login max_attempts failures from one IP (any accounts), every login from it is refused; other IPs are not', async () => {
      const ip = '203.0.113.30';
      assertError(await spa(ip, 'alice', 'wrong'), 403, 'invalid_grant');
      assertError(await spa(ip, 'bob', 'wrong'), 403, 'invalid_grant');
      assertError(await spa(ip, 'nobody', 'wrong'), 403, 'invalid_grant');
      const refused = await spa(ip, 'carol', passwordOf('carol'));
      assertError(refused, 429, 'too_many_attempts', suspiciousText);
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      assertTokens(await spa('203.0.113.31', 'carol', passwordOf('carol')));
    });

    test('logins: successes spend nothing', async () => {
      const ip = '203.0.113.40';
      for (let i = 0; i < 5; i++) assertTokens(await spa(ip, 'carol', passwordOf('carol')));
      assertError(await spa(ip, 'carol', 'wrong'), 403, 'invalid_grant');
    });

    test('signups: pre-user-registration max_attempts per IP, successful or not, then 429 too_many_attempts', async () => {
      const signup = (ip: string, email: string, password = 'Signup-Pass-123!') =>
        rawRequest(`${server.baseUrl}/dbconnections/signup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', host: proxyDomain, 'cname-api-key': proxyKey, 'x-forwarded-for': ip },
          body: JSON.stringify({ client_id: 'pw-spa', connection: 'Users', email, password }),
        });
      const ip = '203.0.113.50';
      assert.equal((await signup(ip, 'new1@pw.example.test')).status, 200);
      assert.equal((await signup(ip, 'new1@pw.example.test')).status, 400, 'an existing email: refused, and it spends an attempt');
      assert.equal((await signup(ip, 'new2@pw.example.test')).status, 200);
      const refused = await signup(ip, 'new3@pw.example.test');
      assertError(refused, 429, 'too_many_attempts', suspiciousText);
      assert.equal((await signup('203.0.113.51', 'new3@pw.example.test')).status, 200, 'another IP has its own budget');
      // The login budget of the throttled IP is untouched.
      assertTokens(await spa(ip, 'carol', passwordOf('carol')));
    });
  });

  test('property: malformed password-grant requests get a 4xx with an OAuth error, never a 5xx', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('', ' ', '__proto__', 'constructor', 'toString', '%', '\u0000', '\ud800', 'x'.repeat(2000), `a@${'b'.repeat(5000)}`, emailOf('alice'), 'alice', 'Users', 'Elsewhere'),
    );
    const optional = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: undefined });
    const requests = fc.record({
      grant_type: fc.constantFrom('password', realmGrant),
      client: fc.constantFrom('pw-spa', 'pw-backend', 'pw-untrusted', 'pw-outsider', 'nobody'),
      withSecret: fc.boolean(),
      username: optional(text),
      password: optional(fc.oneof(text, fc.constant(passwordOf('alice')))),
      realm: optional(text),
      scope: optional(fc.oneof(text, fc.constantFrom('openid', 'openid offline_access', 'read:a "x"'))),
      audience: optional(fc.oneof(text, fc.constant(audience))),
      forwarded: optional(fc.oneof(text, fc.constantFrom('198.51.100.77', '::1', '1.2.3.4, 5.6.7.8'))),
      ip: fc.integer({ min: 0, max: 255 }).map((n) => `198.51.100.${n}`),
    });
    await fc.assert(
      fc.asyncProperty(requests, async (r) => {
        const params: Record<string, string> = { grant_type: r.grant_type, client_id: r.client };
        if (r.withSecret) params.client_secret = r.client === 'pw-untrusted' ? untrustedSecret : secret;
        for (const k of ['username', 'password', 'realm', 'scope', 'audience'] as const) if (r[k] !== undefined) params[k] = r[k];
        const headers: Record<string, string> = {};
        // node:http refuses control characters in header values; the server never sees those.
        if (r.forwarded !== undefined && /^[\x20-\x7e]*$/.test(r.forwarded)) headers['auth0-forwarded-for'] = r.forwarded;
        const res = await tokenFrom(r.ip, params, headers);
        // A right password can succeed: anything but a 5xx is an answer.
        if (res.status === 200) return;
        assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${res.body.slice(0, 300)}`);
        const parsed = jsonOf<{ error?: unknown; error_description?: unknown }>(res);
        assert.equal(typeof parsed.error, 'string', res.body);
        assert.equal(typeof parsed.error_description, 'string', res.body);
      }),
      { numRuns: 150 },
    );
    assert.doesNotMatch(server.output(), /"level":"error"/, 'no request reached the unhandled-error path');
  });
});
