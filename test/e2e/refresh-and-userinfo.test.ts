import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Agent as HttpsAgent } from 'node:https';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuthApiError, AuthenticationClient } from 'auth0/legacy';
import fc from 'fast-check';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { localTableName } from '../../infra/tables.ts';
import { form, formHeaders, jsonOf, rawRequest, type RawResponse } from '../support/http-client.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * Refresh tokens, revocation, /userinfo and CORS against the real local server (reference
 * §3.5, §4.4, §4.5, §1.2, §15). The first refresh token comes from the password-realm grant;
 * the auth0 SDK (`oauth.passwordGrant`, `oauth.refreshTokenGrant`, `oauth.revokeRefreshToken`,
 * with its own ID-token validation against the JWKS) drives the happy path; raw HTTP does
 * what no SDK does on purpose: reuse a rotated token, race two exchanges, come from a foreign
 * origin, send garbage.
 *
 * The SDK always builds `https://<domain>`; this process's `fetch` delivers those URLs to the
 * local listener (what a TLS-terminating proxy would do), and so does the `agent` the SDK
 * hands its ID-token validator for the JWKS (jose 4 fetches it with node:https).
 */
const domain = 'rt.example.test';
const issuer = `https://${domain}/`;
const api = 'https://api.rt.test/';
const onlineApi = 'https://online.rt.test/';
const realmGrant = 'http://auth0.com/oauth/grant-type/password-realm';
const connection = 'Users';
const secret = 'rt-backend-secret-0123456789abcdefghij';
const appOrigin = 'https://app.rt.test';
const webOrigin = 'https://web.rt.test';
const otherOrigin = 'https://other.rt.test';
const evilOrigin = 'https://evil.rt.test';
const tablePrefix = `rt${randomBytes(5).toString('hex')}`;

const users = {
  jane: { email: 'jane@rt.test', password: 'Jane-Passw0rd-Refresh!' },
  bob: { email: 'bob@rt.test', password: 'Bob-Passw0rd-Refresh!' },
  rita: { email: 'rita@rt.test', password: 'Rita-Passw0rd-Refresh!' },
  gone: { email: 'gone@rt.test', password: 'Gone-Passw0rd-Refresh!' },
  fuzz: { email: 'fuzz@rt.test', password: 'Fuzz-Passw0rd-Refresh!' },
};
type UserName = keyof typeof users;

const publicClient = (client_id: string, refresh: Record<string, unknown>, origins: Record<string, string[]> = {}) => ({
  name: client_id,
  client_id,
  app_type: 'spa',
  token_endpoint_auth_method: 'none',
  grant_types: [realmGrant, 'refresh_token'],
  refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', ...refresh },
  ...origins,
});

const tenant = {
  tenant: {
    friendly_name: 'Refresh tests',
    // Never globally limited here; the userinfo bucket is small enough to reach.
    rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 }, userinfo: { burst: 15, per_minute: 1 } },
  },
  resourceServers: [
    { name: 'API', identifier: api, scopes: [{ value: 'read:a' }, { value: 'write:a' }], allow_offline_access: true },
    { name: 'Online only', identifier: onlineApi, scopes: [{ value: 'read:a' }] },
  ],
  clients: [
    {
      name: 'backend',
      client_id: 'backend',
      app_type: 'regular_web',
      client_secret: secret,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: [realmGrant, 'refresh_token', 'client_credentials'],
      web_origins: [webOrigin],
      refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0 },
    },
    {
      name: 'static',
      client_id: 'static',
      app_type: 'regular_web',
      client_secret: secret,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: [realmGrant, 'refresh_token'],
    },
    publicClient('spa', { leeway: 0 }, { allowed_origins: [appOrigin] }),
    publicClient('leeway', { leeway: 30 }),
    publicClient('other', { leeway: 0 }, { allowed_origins: [otherOrigin] }),
  ],
  clientGrants: [{ client_id: 'backend', audience: api, scope: ['read:a'] }],
  connections: [{ name: connection, strategy: 'auth0', enabled_clients: ['backend', 'static', 'spa', 'leeway', 'other'] }],
  users: Object.values(users).map((u) => ({ connection, email: u.email, password: u.password, email_verified: true })),
};

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  scope: string;
  expires_in: number;
  token_type: string;
}

describe('refresh tokens, /oauth/revoke, /userinfo and CORS', () => {
  let server: LocalServer;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  const originalFetch = globalThis.fetch;

  before(async () => {
    server = await startLocalServer({ tenant, issuer, env: { PORTCULLIS_TABLE_PREFIX: tablePrefix } });
    globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.origin !== `https://${domain}`) return originalFetch(input, init);
      // The SDK passes its `agent` as undici's dispatcher; this transport needs neither.
      const { dispatcher: _, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      return originalFetch(`${server.baseUrl}${url.pathname}${url.search}`, input instanceof Request ? input : rest);
    }) as typeof fetch;
    jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
  });
  after(async () => {
    globalThis.fetch = originalFetch;
    await server?.stop();
  });

  /** An https agent whose connections are plain TCP to the local listener: the TLS proxy's stand-in. */
  const toLocalListener = () => Object.assign(new HttpsAgent(), { createConnection: () => connect(server.port, '127.0.0.1') });
  const sdk = () => new AuthenticationClient({ domain, clientId: 'backend', clientSecret: secret, agent: toLocalListener() as never });
  const post = (path: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
    rawRequest(`${server.baseUrl}${path}`, { method: 'POST', headers: { ...formHeaders, ...headers }, body: form(params) });
  const credentials = (clientId: string): Record<string, string> =>
    clientId === 'backend' || clientId === 'static' ? { client_id: clientId, client_secret: secret } : { client_id: clientId };
  const login = async (clientId: string, user: UserName, extra: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<TokenResponse> => {
    const res = await post(
      '/oauth/token',
      { grant_type: realmGrant, realm: connection, username: users[user].email, password: users[user].password, scope: 'openid profile email offline_access', audience: api, ...credentials(clientId), ...extra },
      headers,
    );
    assert.equal(res.status, 200, res.body);
    return jsonOf<TokenResponse>(res) as unknown as TokenResponse;
  };
  const refresh = (clientId: string, token: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    post('/oauth/token', { grant_type: 'refresh_token', refresh_token: token, ...credentials(clientId), ...extra }, headers);
  const userinfo = (token: string, headers: Record<string, string> = {}) =>
    rawRequest(`${server.baseUrl}/userinfo`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const verify = async (token: string, audience: string): Promise<JWTPayload> =>
    (await jwtVerify(token, jwks, { issuer, audience, algorithms: ['RS256'] })).payload;

  const assertOAuthError = (res: RawResponse, status: number, error: string, description?: string) => {
    assert.equal(res.status, status, res.body);
    const body = jsonOf<{ error: string; error_description: string }>(res);
    assert.equal(body.error, error, res.body);
    if (description !== undefined) assert.equal(body.error_description, description);
  };
  const assertUnknownRefreshToken = (res: RawResponse) => assertOAuthError(res, 403, 'invalid_grant', 'Unknown or invalid refresh token.');

  describe('the auth0 SDK: passwordGrant, refreshTokenGrant, revokeRefreshToken', () => {
    let first: TokenResponse;
    let rotated: TokenResponse;

    test('passwordGrant with offline_access: a v1. refresh token, an ID token the SDK validates, an access token for the API and /userinfo', async () => {
      const { data, status } = await sdk().oauth.passwordGrant({ username: users.jane.email, password: users.jane.password, realm: connection, scope: 'openid profile email offline_access', audience: api });
      assert.equal(status, 200);
      first = data as unknown as TokenResponse;
      assert.match(first.refresh_token ?? '', /^v1\.[A-Za-z0-9_-]{64}$/);
      assert.equal(first.scope, 'openid profile email offline_access');
      const access = await verify(first.access_token, api);
      assert.deepEqual(access.aud, [api, `${issuer}userinfo`]);
      assert.match(String(access.sub), /^auth0\|/);
      assert.equal(access.azp, 'backend');
      assert.equal(access.gty, 'password');
      const id = await verify(first.id_token!, 'backend');
      assert.equal(id.email, users.jane.email);
      assert.equal(id.nickname, 'jane');
      assert.equal(typeof id.auth_time, 'number');
    });

    test('refreshTokenGrant rotates: a new refresh token, an ID token without nonce keeping auth_time, an access token with gty refresh_token', async () => {
      const { data, status } = await sdk().oauth.refreshTokenGrant({ refresh_token: first.refresh_token! });
      assert.equal(status, 200);
      rotated = data as unknown as TokenResponse;
      assert.match(rotated.refresh_token ?? '', /^v1\./);
      assert.notEqual(rotated.refresh_token, first.refresh_token);
      assert.equal(rotated.scope, 'openid profile email offline_access');
      assert.equal(rotated.token_type, 'Bearer');
      const access = await verify(rotated.access_token, api);
      assert.equal(access.gty, 'refresh_token');
      assert.deepEqual(access.aud, [api, `${issuer}userinfo`]);
      const id = await verify(rotated.id_token!, 'backend');
      assert.equal('nonce' in id, false);
      assert.equal(id.auth_time, decodeJwt(first.id_token!).auth_time, 'auth_time is the login, not the refresh');
      assert.equal(id.sub, decodeJwt(first.id_token!).sub);
    });

    test('the rotated token again is reuse: 403 invalid_grant, and the whole family is revoked, the newest token included', async () => {
      await assert.rejects(sdk().oauth.refreshTokenGrant({ refresh_token: first.refresh_token! }), (error: unknown) => {
        assert.ok(error instanceof AuthApiError, String(error));
        assert.equal(error.statusCode, 403);
        assert.equal(error.error, 'invalid_grant');
        assert.equal(error.error_description, 'Unknown or invalid refresh token.');
        return true;
      });
      assertUnknownRefreshToken(await refresh('backend', rotated.refresh_token!));
    });

    test('revokeRefreshToken revokes the family; refreshing then fails; an unknown token is still 200', async () => {
      const tokens = await login('backend', 'jane');
      const res = await sdk().oauth.revokeRefreshToken({ token: tokens.refresh_token! });
      assert.equal(res.status, 200);
      assertUnknownRefreshToken(await refresh('backend', tokens.refresh_token!));
      assert.equal((await sdk().oauth.revokeRefreshToken({ token: 'v1.not-a-token-we-issued' })).status, 200);
    });
  });

  describe('refresh_token grant over raw HTTP', () => {
    test('two concurrent exchanges of one token: exactly one wins, and the race revokes the family', async () => {
      for (let round = 0; round < 3; round++) {
        const { refresh_token: token } = await login('spa', 'bob');
        const results = await Promise.all([refresh('spa', token!), refresh('spa', token!)]);
        const winners = results.filter((r) => r.status === 200);
        assert.equal(winners.length, 1, results.map((r) => `${r.status} ${r.body}`).join(' | '));
        assertUnknownRefreshToken(results.find((r) => r.status !== 200)!);
        assertUnknownRefreshToken(await refresh('spa', jsonOf<TokenResponse>(winners[0]!).refresh_token as string));
      }
    });

    test('leeway: the previous token may be exchanged again within it; both successors work', async () => {
      const { refresh_token: token } = await login('leeway', 'bob');
      const one = await refresh('leeway', token!);
      assert.equal(one.status, 200, one.body);
      const two = await refresh('leeway', token!);
      assert.equal(two.status, 200, `within the 30 s leeway: ${two.body}`);
      const successors = [jsonOf<TokenResponse>(one).refresh_token, jsonOf<TokenResponse>(two).refresh_token];
      assert.notEqual(successors[0], successors[1]);
      assert.equal((await refresh('leeway', successors[0] as string)).status, 200);
    });

    test('non-rotating: no new refresh token, and the same one keeps working', async () => {
      const { refresh_token: token } = await login('static', 'bob');
      for (let i = 0; i < 2; i++) {
        const res = await refresh('static', token!);
        assert.equal(res.status, 200, res.body);
        assert.equal(jsonOf(res).refresh_token, undefined);
      }
    });

    test('scope may narrow (openid dropped: no ID token), never widen (400 invalid_scope)', async () => {
      const { refresh_token: token } = await login('static', 'bob', { scope: 'openid offline_access read:a' });
      const narrow = await refresh('static', token!, { scope: 'read:a' });
      assert.equal(narrow.status, 200, narrow.body);
      const body = jsonOf<TokenResponse>(narrow);
      assert.equal(body.scope, 'read:a');
      assert.equal(body.id_token, undefined);
      assert.equal((await verify(body.access_token, api)).aud, api, 'without openid, the API alone');
      assertOAuthError(await refresh('static', token!, { scope: 'read:a write:a' }), 400, 'invalid_scope');
    });

    test("a refresh token is bound to its client: another client gets invalid_grant and the family lives on", async () => {
      const { refresh_token: token } = await login('spa', 'bob');
      assertUnknownRefreshToken(await refresh('other', token!));
      assertUnknownRefreshToken(await refresh('backend', token!));
      assert.equal((await refresh('spa', token!)).status, 200);
    });

    test('a missing refresh_token is 400; garbage is 403 invalid_grant', async () => {
      assertOAuthError(await post('/oauth/token', { grant_type: 'refresh_token', client_id: 'spa' }), 400, 'invalid_request');
      assertUnknownRefreshToken(await refresh('spa', 'v1.garbage'));
      assertUnknownRefreshToken(await refresh('spa', 'x'.repeat(5000)));
    });

    test("an API without offline access gives no refresh token; a login without audience does (Auth0's /userinfo audience)", async () => {
      const online = await login('spa', 'bob', { audience: onlineApi });
      assert.equal(online.refresh_token, undefined);
      assert.equal(online.scope, 'openid profile email');
      const res = await post('/oauth/token', { grant_type: realmGrant, realm: connection, username: users.bob.email, password: users.bob.password, scope: 'openid offline_access', client_id: 'spa' });
      assert.equal(res.status, 200, res.body);
      const body = jsonOf<TokenResponse>(res);
      assert.match(body.refresh_token ?? '', /^v1\./);
      assert.equal(body.access_token.split('.').length, 5, 'an opaque (JWE) access token');
      assert.equal(body.expires_in, 86_400);
      const refreshed = jsonOf<TokenResponse>(await refresh('spa', body.refresh_token!));
      assert.equal(refreshed.access_token.split('.').length, 5);
      assert.equal((await userinfo(refreshed.access_token)).status, 200);
    });

    test("a deleted user's refresh token: 403 invalid_grant with Auth0's text; their access token no longer opens /userinfo", async () => {
      const tokens = await login('spa', 'gone');
      const sub = decodeJwt(tokens.access_token).sub as string;
      const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
      await db.send(new DeleteCommand({ TableName: localTableName('users', tablePrefix), Key: { pk: `user#${sub}` } }));
      assertOAuthError(await refresh('spa', tokens.refresh_token!), 403, 'invalid_grant', "The refresh_token was generated for a user who doesn't exist anymore.");
      assert.equal((await userinfo(tokens.access_token)).status, 401);
    });
  });

  describe('POST /oauth/revoke', () => {
    test('revokes the family (every rotation of the login); the answer is 200 with an empty body', async () => {
      const { refresh_token: token } = await login('spa', 'bob');
      const next = jsonOf<TokenResponse>(await refresh('spa', token!)).refresh_token!;
      const res = await post('/oauth/revoke', { client_id: 'spa', token: token! });
      assert.equal(res.status, 200);
      assert.equal(res.body, '');
      assertUnknownRefreshToken(await refresh('spa', next));
    });

    test("another client's token, an unknown token, a revoked one: 200 and nothing changes", async () => {
      const { refresh_token: token } = await login('spa', 'bob');
      assert.equal((await post('/oauth/revoke', { client_id: 'other', token: token! })).status, 200);
      assert.equal((await post('/oauth/revoke', { client_id: 'spa', token: 'v1.unknown' })).status, 200);
      assert.equal((await refresh('spa', token!)).status, 200, "the other client's revoke did nothing");
    });

    test('JSON bodies too; a missing token is 400 invalid_request; bad client credentials 401', async () => {
      const { refresh_token: token } = await login('static', 'bob');
      const json = await rawRequest(`${server.baseUrl}/oauth/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: 'static', client_secret: secret, token }) });
      assert.equal(json.status, 200, json.body);
      assertUnknownRefreshToken(await refresh('static', token!));
      assertOAuthError(await post('/oauth/revoke', { client_id: 'spa' }), 400, 'invalid_request');
      assertOAuthError(await post('/oauth/revoke', { client_id: 'static', client_secret: 'wrong-secret-0123456789', token: 'v1.x' }), 401, 'invalid_client');
    });
  });

  describe('/userinfo', () => {
    let tokens: TokenResponse;
    before(async () => {
      tokens = await login('spa', 'jane');
    });

    test('GET with a bearer header: the current profile by scope, JSON, sub always', async () => {
      const res = await userinfo(tokens.access_token);
      assert.equal(res.status, 200, res.body);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      const body = jsonOf(res);
      assert.equal(body.sub, decodeJwt(tokens.access_token).sub);
      assert.equal(body.email, users.jane.email);
      assert.equal(body.email_verified, true);
      assert.equal(body.name, users.jane.email);
      assert.equal(body.nickname, 'jane');
      assert.match(String(body.picture), /^https:\/\/s\.gravatar\.com\/avatar\//);
      assert.ok(!Number.isNaN(Date.parse(String(body.updated_at))), 'updated_at is an ISO date string');
      assert.equal(res.headers['x-ratelimit-limit'], '15', "the per-user bucket's headers");
    });

    test('POST with the bearer header (JSON or no body), with the token in a form body, and the access_token query', async () => {
      const header = await rawRequest(`${server.baseUrl}/userinfo`, { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' } });
      assert.equal(header.status, 200, header.body);
      const body = await post('/userinfo', { access_token: tokens.access_token });
      assert.equal(body.status, 200, body.body);
      assert.equal(jsonOf(body).sub, jsonOf(header).sub);
      const query = await rawRequest(`${server.baseUrl}/userinfo?access_token=${encodeURIComponent(tokens.access_token)}`);
      assert.equal(query.status, 200, query.body);
    });

    test('claims follow the scope: openid alone gives only sub', async () => {
      const narrow = await login('spa', 'jane', { scope: 'openid' });
      assert.deepEqual(Object.keys(jsonOf(await userinfo(narrow.access_token))), ['sub']);
    });

    test('the opaque token of a login without audience works, and it is not a JWT', async () => {
      const res = await post('/oauth/token', { grant_type: realmGrant, realm: connection, username: users.jane.email, password: users.jane.password, scope: 'openid email', client_id: 'spa' });
      const opaque = jsonOf<TokenResponse>(res).access_token;
      assert.throws(() => decodeJwt(opaque));
      assert.equal(decodeProtectedHeader(opaque).enc, 'A256GCM');
      assert.deepEqual(Object.keys(jsonOf(await userinfo(opaque))).sort(), ['email', 'email_verified', 'sub']);
    });

    const assertUnauthorized = (res: RawResponse, description?: string) => {
      assert.equal(res.status, 401, res.body);
      assert.equal(res.body, 'Unauthorized');
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.match(String(res.headers['www-authenticate']), /^Bearer realm="Users"/);
      if (description) assert.equal(res.headers['www-authenticate'], `Bearer realm="Users", error="invalid_token", error_description="${description}"`);
    };

    test('errors are plain-text 401 Unauthorized with a Bearer challenge', async () => {
      const none = await rawRequest(`${server.baseUrl}/userinfo`);
      assertUnauthorized(none);
      assert.equal(none.headers['www-authenticate'], 'Bearer realm="Users"', 'no token: no error code (RFC 6750 §3.1)');
      assertUnauthorized(await userinfo('garbage'), 'Invalid token');
      const [header, , signature] = tokens.access_token.split('.');
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(tokens.access_token), sub: 'auth0|someone-else' })).toString('base64url')}.${signature}`;
      assertUnauthorized(await userinfo(forged), 'Invalid token');
      assertUnauthorized(await rawRequest(`${server.baseUrl}/userinfo`, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }));
    });

    test('a token without the /userinfo audience (API only, or client credentials) is refused', async () => {
      const apiOnly = await login('spa', 'jane', { scope: 'read:a offline_access' });
      assertUnauthorized(await userinfo(apiOnly.access_token), 'Invalid token');
      const m2m = await post('/oauth/token', { grant_type: 'client_credentials', client_id: 'backend', client_secret: secret, audience: api });
      assertUnauthorized(await userinfo(jsonOf<TokenResponse>(m2m).access_token), 'Invalid token');
    });

    test('a token sent two ways at once is 400 (RFC 6750 §2)', async () => {
      const res = await post('/userinfo', { access_token: tokens.access_token }, { authorization: `Bearer ${tokens.access_token}` });
      assert.equal(res.status, 400, res.body);
      assert.match(String(res.headers['www-authenticate']), /error="invalid_request"/);
    });

    test('per-user rate limit: after the burst, 429 in plain text "Rate limit exceed" with X-RateLimit headers', async () => {
      const rita = await login('spa', 'rita');
      const statuses: number[] = [];
      let last: RawResponse | undefined;
      // The bucket refills one a minute: on a slow machine one more may pass, never fewer.
      while (statuses.length < 20 && last?.status !== 429) {
        last = await userinfo(rita.access_token);
        statuses.push(last.status);
      }
      assert.deepEqual(statuses.slice(0, 15), Array(15).fill(200));
      assert.equal(statuses.at(-1), 429, statuses.join(' '));
      assert.equal(last!.body, 'Rate limit exceed');
      assert.equal(last!.headers['x-ratelimit-remaining'], '0');
      assert.ok(Number(last!.headers['retry-after']) >= 1);
      assert.equal((await userinfo(tokens.access_token)).status, 200, "another user's bucket is untouched");
    });
  });

  describe('CORS', () => {
    const preflight = (path: string, origin: string) =>
      rawRequest(`${server.baseUrl}${path}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, auth0-client' },
      });

    test('preflights from an origin some client allows: 204 with the Access-Control headers, on every CORS endpoint', async () => {
      for (const path of ['/oauth/token', '/oauth/revoke', '/userinfo']) {
        for (const origin of [appOrigin, webOrigin]) {
          const res = await preflight(path, origin);
          assert.equal(res.status, 204, `${path} ${origin}: ${res.body}`);
          assert.equal(res.headers['access-control-allow-origin'], origin);
          assert.match(String(res.headers['access-control-allow-methods']), /POST/);
          assert.match(String(res.headers['access-control-allow-headers']), /Content-Type/i);
          assert.match(String(res.headers['access-control-allow-headers']), /Auth0-Client/i);
          assert.match(String(res.headers.vary), /Origin/);
        }
      }
    });

    test('preflights from any other origin: 403 without Access-Control-Allow-Origin', async () => {
      for (const path of ['/oauth/token', '/oauth/revoke', '/userinfo']) {
        const res = await preflight(path, evilOrigin);
        assert.equal(res.status, 403, path);
        assert.equal(res.headers['access-control-allow-origin'], undefined);
      }
    });

    test("a refresh from the client's own origin succeeds and the browser may read it", async () => {
      const { refresh_token: token } = await login('spa', 'bob');
      const res = await refresh('spa', token!, {}, { origin: appOrigin });
      assert.equal(res.status, 200, res.body);
      assert.equal(res.headers['access-control-allow-origin'], appOrigin);
      assert.match(String(res.headers.vary), /Origin/);
    });

    test("from another client's origin: 403 access_denied before anything changes (the token still works)", async () => {
      const { refresh_token: token } = await login('spa', 'bob');
      const res = await refresh('spa', token!, {}, { origin: otherOrigin });
      assertOAuthError(res, 403, 'access_denied');
      assert.equal(res.headers['access-control-allow-origin'], otherOrigin, 'an origin the tenant knows may read why');
      const evil = await refresh('spa', token!, {}, { origin: evilOrigin });
      assertOAuthError(evil, 403, 'access_denied');
      assert.equal(evil.headers['access-control-allow-origin'], undefined, 'an unknown origin learns nothing');
      const revoke = await post('/oauth/revoke', { client_id: 'spa', token: token! }, { origin: evilOrigin });
      assertOAuthError(revoke, 403, 'access_denied');
      assert.equal((await refresh('spa', token!)).status, 200, 'neither the refused refresh nor the refused revoke touched it');
    });

    test('/userinfo from the token client\'s origin is allowed, from another refused', async () => {
      const { access_token: token } = await login('spa', 'bob');
      const ok = await userinfo(token, { origin: appOrigin });
      assert.equal(ok.status, 200, ok.body);
      assert.equal(ok.headers['access-control-allow-origin'], appOrigin);
      assert.match(String(ok.headers['access-control-expose-headers']), /WWW-Authenticate/);
      const refused = await userinfo(token, { origin: otherOrigin });
      assert.equal(refused.status, 403, refused.body);
    });
  });

  test('discovery advertises the endpoints now served', async () => {
    const doc = jsonOf(await rawRequest(`${server.baseUrl}/.well-known/openid-configuration`));
    assert.equal(doc.authorization_endpoint, `${issuer}authorize`);
    assert.equal(doc.userinfo_endpoint, `${issuer}userinfo`);
    assert.equal(doc.revocation_endpoint, `${issuer}oauth/revoke`);
    assert.equal(doc.end_session_endpoint, `${issuer}oidc/logout`);
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
    assert.equal(doc.authorization_response_iss_parameter_supported, true);
    assert.equal(doc.backchannel_logout_supported, true);
    assert.equal(doc.backchannel_logout_session_supported, true);
    for (const grant of ['authorization_code', 'refresh_token', 'password', realmGrant]) assert.ok((doc.grant_types_supported as string[]).includes(grant), grant);
    for (const claim of ['sid', 'nonce', 'auth_time', 'at_hash', 'c_hash']) assert.ok((doc.claims_supported as string[]).includes(claim), claim);
    assert.equal('device_authorization_endpoint' in doc, false);
  });

  describe('property: malformed input never gets a 5xx', () => {
    const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 120 });
    const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
    const tokenLike = fc.oneof(
      printable,
      fc.constantFrom('', 'v1.', 'v1.AAAA', 'Bearer', 'null', '__proto__', 'x'.repeat(9000), 'a.b.c', 'a.b.c.d.e'),
      fc.tuple(fc.jsonValue(), fc.jsonValue(), printable).map(([h, p, s]) => `${b64(h)}.${b64(p)}.${b64(s)}`),
      fc.tuple(fc.jsonValue(), printable, printable, printable, printable).map(([h, a, b, c, d]) => `${b64(h)}.${b64(a)}.${b64(b)}.${b64(c)}.${b64(d)}`),
      fc.constantFrom(...['dir', 'RS256', 'none'].map((alg) => `${b64({ alg, enc: 'A256GCM', kid: 'x', cty: 'portcullis-at' })}.${b64('')}.${b64('iv')}.${b64('ct')}.${b64('tag')}`)),
    );
    const contentTypes = fc.constantFrom(undefined, 'application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=latin1');
    const bodyOf = (kind: 'form' | 'json' | 'raw', fields: Record<string, string>, raw: string) =>
      kind === 'form' ? form(fields) : kind === 'json' ? JSON.stringify(fields) : raw;
    const fieldMaps = (names: string[]) =>
      fc.dictionary(fc.oneof(fc.constantFrom(...names), printable), fc.oneof(tokenLike, printable), { maxKeys: 6 });
    const assertClientError = (res: RawResponse, what: string) => assert.ok(res.status >= 400 && res.status < 500, `${what}: ${res.status} ${res.body.slice(0, 300)}`);

    test('/userinfo: 4xx, always text, never a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'POST'),
          fc.option(fc.oneof(tokenLike.map((t) => `Bearer ${t}`), printable, tokenLike.map((t) => `bearer  ${t}`)), { nil: undefined }),
          fc.option(tokenLike, { nil: undefined }),
          fc.constantFrom('form', 'json', 'raw') as fc.Arbitrary<'form' | 'json' | 'raw'>,
          fieldMaps(['access_token']),
          printable,
          contentTypes,
          fc.option(fc.constantFrom(appOrigin, evilOrigin, 'null'), { nil: undefined }),
          async (method, authorization, queryToken, kind, fields, raw, contentType, origin) => {
            const headers: Record<string, string> = {};
            if (authorization !== undefined) headers.authorization = authorization;
            if (contentType !== undefined) headers['content-type'] = contentType;
            if (origin !== undefined) headers.origin = origin;
            const query = queryToken === undefined ? '' : `?access_token=${encodeURIComponent(queryToken)}`;
            const res = await rawRequest(`${server.baseUrl}/userinfo${query}`, { method, headers, body: method === 'POST' ? bodyOf(kind, fields, raw) : undefined });
            assertClientError(res, 'userinfo');
            if (res.status === 401) assert.equal(res.body, 'Unauthorized');
            // 431: headers above the gateway's limit never reach the function (the gateway answers).
            if (res.status !== 431) assert.match(String(res.headers['content-type']), /^text\/plain/);
          },
        ),
        { numRuns: 200 },
      );
    });

    test('/oauth/revoke: 200 or a 4xx JSON error, never a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('form', 'json', 'raw') as fc.Arbitrary<'form' | 'json' | 'raw'>,
          fieldMaps(['token', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'token_type_hint']),
          fc.constantFrom('spa', 'backend', 'static', 'nobody', '__proto__'),
          printable,
          contentTypes,
          async (kind, fields, clientId, raw, contentType) => {
            const withClient = { client_id: clientId, ...fields };
            const res = await rawRequest(`${server.baseUrl}/oauth/revoke`, { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body: bodyOf(kind, withClient, raw) });
            assert.ok(res.status < 500, `${res.status} ${res.body}`);
            if (res.status === 200) assert.equal(res.body, '');
            else assert.equal(typeof jsonOf(res).error, 'string', res.body);
          },
        ),
        { numRuns: 200 },
      );
    });

    test('refresh_token grant: a 4xx JSON error, never a 5xx', async () => {
      const { refresh_token: revoked } = await login('spa', 'fuzz');
      await post('/oauth/revoke', { client_id: 'spa', token: revoked! });
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(tokenLike, fc.constant(revoked!)),
          fc.constantFrom('spa', 'backend', 'leeway', 'nobody', '__proto__', 'x'.repeat(300)),
          fc.option(fc.oneof(printable, fc.constantFrom('openid', 'openid openid', 'read:a', '"', 'x'.repeat(5000))), { nil: undefined }),
          fieldMaps(['audience', 'client_secret', 'resource', 'nonce']),
          fc.constantFrom('form', 'json') as fc.Arbitrary<'form' | 'json'>,
          async (token, clientId, scope, extra, kind) => {
            const fields = { ...extra, grant_type: 'refresh_token', refresh_token: token, client_id: clientId, ...(scope !== undefined ? { scope } : {}) };
            const res = await rawRequest(`${server.baseUrl}/oauth/token`, {
              method: 'POST',
              headers: { 'content-type': kind === 'form' ? 'application/x-www-form-urlencoded' : 'application/json' },
              body: bodyOf(kind, fields, ''),
            });
            assertClientError(res, 'refresh');
            assert.equal(typeof jsonOf(res).error, 'string', res.body);
          },
        ),
        { numRuns: 200 },
      );
      assert.doesNotMatch(server.output(), /"level":"error"|handler failed/, 'no request reached the unhandled-error path');
    });
  });
});
