import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { CookieJar, inputValue, send, type HttpAnswer } from '../support/http-browser.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * GET /authorize over raw HTTP with a cookie jar (reference §2.1, peers.md §6): error pages
 * that never redirect, redirected errors with state and iss in the request's response mode,
 * prompt=none, web_message and form_post pages, implicit and hybrid responses; then the code
 * flow with openid-client v6 (which checks iss, state, nonce and the ID token) and a login on
 * the hosted page: SSO reuse keeps auth_time, max_age=0 and prompt=login force a login, a
 * replayed code fails and revokes its refresh token, PKCE and redirect_uri are checked.
 */
const origin = (app: string) => `https://${app}.example.test`;
const callback = (app: string) => `${origin(app)}/callback`;
const audience = 'https://api.authorize.test/';
const webSecret = 'web-secret-0123456789-abcdefghij';
const otherSecret = 'other-secret-0123456789-abcdefghij';
const jane = { email: 'jane@authorize.test', password: 'Correct-Horse-9' };
const john = { email: 'john@authorize.test', password: 'Battery-Staple-7' };

const tenant = {
  tenant: { friendly_name: 'Authorize Co', rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 } } },
  resourceServers: [{ name: 'API', identifier: audience, allow_offline_access: true, scopes: [{ value: 'read:a' }] }],
  clients: [
    {
      name: 'Web',
      client_id: 'web',
      app_type: 'regular_web',
      client_secret: webSecret,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', 'implicit', 'refresh_token'],
      callbacks: [callback('web'), `${callback('web')}/second`],
      web_origins: [origin('web')],
    },
    { name: 'Other', client_id: 'other', client_secret: otherSecret, token_endpoint_auth_method: 'client_secret_post', grant_types: ['authorization_code'], callbacks: [callback('other')] },
    { name: 'SPA', client_id: 'spa', app_type: 'spa', grant_types: ['authorization_code', 'refresh_token'], callbacks: [callback('spa')] },
    { name: 'Partner', client_id: 'partner', app_type: 'spa', is_first_party: false, grant_types: ['authorization_code'], callbacks: [callback('partner')] },
    { name: 'M2M', client_id: 'm2m', client_secret: otherSecret, grant_types: ['client_credentials'] },
  ],
  connections: [
    { name: 'Users', strategy: 'auth0', enabled_clients: ['Web', 'Other', 'SPA', 'Partner'] },
    { name: 'Elsewhere', strategy: 'auth0', enabled_clients: ['Other'] },
  ],
  users: [
    { connection: 'Users', email: jane.email, password: jane.password, email_verified: true },
    { connection: 'Users', email: john.email, password: john.password, email_verified: true },
  ],
};

const challengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const halfHash = (value: string) => createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');

/** Parameters of a Location, from its query or its fragment. */
function responseParams(location: string | undefined, where: 'query' | 'fragment' = 'query'): URLSearchParams {
  assert.ok(location, 'a Location header');
  const url = new URL(location);
  return where === 'query' ? url.searchParams : new URLSearchParams(url.hash.slice(1));
}

describe('GET /authorize (local server, raw HTTP)', () => {
  let server: LocalServer;
  const get = (path: string, jar?: CookieJar) => send(server.baseUrl, path, jar ? { jar } : {});
  const authorizeUrl = (params: Record<string, string>) => `/authorize?${new URLSearchParams(params)}`;
  const base = { client_id: 'web', redirect_uri: callback('web'), response_type: 'code', state: 'st-1', scope: 'openid profile' };

  /** A redirect to the web client's callback carrying `error` (and state, iss). */
  function assertRedirectedError(answer: HttpAnswer, error: string, options: { where?: 'query' | 'fragment'; state?: string; description?: RegExp } = {}) {
    assert.equal(answer.status, 302, answer.body);
    assert.ok(answer.location?.startsWith(callback('web')), answer.location);
    const params = responseParams(answer.location, options.where);
    assert.equal(params.get('error'), error, answer.location);
    assert.equal(params.get('state'), options.state ?? 'st-1');
    assert.equal(params.get('iss'), server.issuer);
    assert.equal(typeof params.get('error_description'), 'string');
    if (options.description) assert.match(params.get('error_description')!, options.description);
  }

  function assertErrorPage(answer: HttpAnswer, description: RegExp) {
    assert.equal(answer.status, 400, answer.body);
    assert.equal(answer.location, undefined, 'never a redirect');
    assert.match(String(answer.headers['content-type']), /^text\/html/);
    assert.match(answer.body, description);
  }

  /** /authorize → /u/login → POST the form; the answer of the POST. */
  async function logIn(jar: CookieJar, url: string, who = jane): Promise<HttpAnswer> {
    const started = await get(url, jar);
    assert.equal(started.status, 302, started.body);
    const loginPath = new URL(started.location!, server.baseUrl).pathname + new URL(started.location!, server.baseUrl).search;
    assert.match(loginPath, /^\/u\/login\?state=/);
    const page = await get(loginPath, jar);
    assert.equal(page.status, 200, page.body);
    return send(server.baseUrl, loginPath, {
      jar,
      form: { state: inputValue(page.body, 'state')!, _csrf: inputValue(page.body, '_csrf')!, username: who.email, password: who.password },
    });
  }

  /** A browser with a live SSO session. */
  async function loggedIn(who = jane): Promise<CookieJar> {
    const jar = new CookieJar();
    const answer = await logIn(jar, authorizeUrl(base), who);
    assert.equal(answer.status, 302, answer.body);
    assert.ok(jar.get('portcullis_session'));
    return jar;
  }

  before(async () => {
    server = await startLocalServer({ tenant });
  });
  after(() => server?.stop());

  describe('error pages: no client or no verified redirect_uri, never a redirect', () => {
    test('unknown, missing or repeated client_id', async () => {
      assertErrorPage(await get(authorizeUrl({ ...base, client_id: 'nobody' })), /Unknown client: nobody/);
      const { client_id: _c, ...noClient } = base;
      assertErrorPage(await get(authorizeUrl(noClient)), /client_id/);
      assertErrorPage(await get(`${authorizeUrl(base)}&client_id=other`), /more than once/);
    });

    test('an unregistered redirect_uri, even a near miss', async () => {
      for (const uri of ['https://evil.example.test/callback', `${callback('web')}/`, `${callback('web')}?x=1`, callback('web').toUpperCase(), callback('other')]) {
        assertErrorPage(await get(authorizeUrl({ ...base, redirect_uri: uri })), /Callback URL mismatch/);
      }
    });

    test('a missing redirect_uri with several callbacks; with one it is used', async () => {
      const { redirect_uri: _r, ...noRedirect } = base;
      assertErrorPage(await get(authorizeUrl(noRedirect)), /redirect_uri/);
      // The SPA has one callback: its errors go there.
      const answer = await get(authorizeUrl({ client_id: 'spa', response_type: 'code', state: 's', prompt: 'none', code_challenge: challengeOf('v'.repeat(43)), code_challenge_method: 'S256' }));
      assert.equal(answer.status, 302);
      assert.ok(answer.location?.startsWith(`${callback('spa')}?`));
      assert.equal(responseParams(answer.location).get('error'), 'login_required');
    });

    test('an error page for an unverified redirect_uri even when other parameters are wrong too', async () => {
      assertErrorPage(await get(authorizeUrl({ ...base, redirect_uri: 'https://evil.example.test/', response_type: 'bogus', prompt: 'none' })), /Callback URL mismatch/);
    });
  });

  describe('redirected errors carry state and iss', () => {
    test('response types missing, unsupported, or not allowed for the client', async () => {
      const { response_type: _t, ...noType } = base;
      assertRedirectedError(await get(authorizeUrl(noType)), 'unsupported_response_type');
      assertRedirectedError(await get(authorizeUrl({ ...base, response_type: 'none' })), 'unsupported_response_type');
      assertRedirectedError(await get(authorizeUrl({ ...base, response_type: 'code device_code' })), 'unsupported_response_type');
      const spa = await get(authorizeUrl({ client_id: 'spa', redirect_uri: callback('spa'), response_type: 'token', state: 'st-1', nonce: 'n' }));
      assert.equal(spa.status, 302);
      assert.equal(responseParams(spa.location, 'fragment').get('error'), 'unauthorized_client');
    });

    test('PKCE: plain refused, a public client must send a challenge', async () => {
      assertRedirectedError(await get(authorizeUrl({ ...base, code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' })), 'invalid_request', { description: /S256/ });
      assertRedirectedError(await get(authorizeUrl({ ...base, code_challenge: 'a'.repeat(43) })), 'invalid_request', { description: /S256/ });
      const spa = await get(authorizeUrl({ client_id: 'spa', redirect_uri: callback('spa'), response_type: 'code', state: 'st-2' }));
      const params = responseParams(spa.location);
      assert.equal(params.get('error'), 'invalid_request');
      assert.match(params.get('error_description')!, /code_challenge/);
      assert.equal(params.get('state'), 'st-2');
    });

    test('prompt, max_age, nonce, request objects, audience, connection', async () => {
      assertRedirectedError(await get(authorizeUrl({ ...base, prompt: 'none login' })), 'invalid_request');
      assertRedirectedError(await get(authorizeUrl({ ...base, max_age: '-5' })), 'invalid_request');
      assertRedirectedError(await get(authorizeUrl({ ...base, response_type: 'id_token' })), 'invalid_request', { where: 'fragment', description: /nonce/ });
      assertRedirectedError(await get(authorizeUrl({ ...base, request: 'eyJhbGciOiJub25lIn0.e30.' })), 'request_not_supported');
      assertRedirectedError(await get(authorizeUrl({ ...base, request_uri: 'urn:ietf:params:oauth:request_uri:abc' })), 'request_uri_not_supported');
      assertRedirectedError(await get(authorizeUrl({ ...base, audience: 'https://nowhere.test/' })), 'access_denied', { description: /^Service not enabled within domain: https:\/\/nowhere\.test\/$/ });
      assertRedirectedError(await get(authorizeUrl({ ...base, connection: 'Elsewhere' })), 'invalid_request', { description: /connection/ });
      assertRedirectedError(await get(authorizeUrl({ ...base, response_type: 'token', response_mode: 'query' })), 'invalid_request', { where: 'fragment' });
      assertRedirectedError(await get(`${authorizeUrl(base)}&scope=email`), 'invalid_request', { description: /more than once/ });
    });

    test('an error without state has none', async () => {
      const { state: _s, ...noState } = base;
      const answer = await get(authorizeUrl({ ...noState, prompt: 'none' }));
      const params = responseParams(answer.location);
      assert.equal(params.get('error'), 'login_required');
      assert.equal(params.has('state'), false);
      assert.equal(params.get('iss'), server.issuer);
    });
  });

  describe('prompt=none and response modes', () => {
    test('prompt=none without a session: login_required, never a login page or a code', async () => {
      const answer = await get(authorizeUrl({ ...base, prompt: 'none' }));
      assertRedirectedError(answer, 'login_required');
      assert.equal(responseParams(answer.location).has('code'), false);
      assert.equal(answer.setCookies.some((c) => c.startsWith('portcullis_txn=')), false, 'no transaction waits');
    });

    test('form_post: a 200 page posting the error and state to the callback', async () => {
      const answer = await get(authorizeUrl({ ...base, prompt: 'none', response_mode: 'form_post' }));
      assert.equal(answer.status, 200);
      assert.equal(answer.location, undefined);
      assert.match(answer.body, new RegExp(`<form method="post" action="${callback('web')}">`));
      assert.equal(inputValue(answer.body, 'error'), 'login_required');
      assert.equal(inputValue(answer.body, 'state'), 'st-1');
      assert.equal(inputValue(answer.body, 'iss'), server.issuer);
      assert.match(answer.body, /<button type="submit">/);
      assert.match(String(answer.headers['content-security-policy']), new RegExp(`form-action 'self' ${origin('web')}`));
    });

    test('web_message: posted to the Allowed Web Origin, framable by it only', async () => {
      const answer = await get(authorizeUrl({ ...base, prompt: 'none', response_mode: 'web_message' }));
      assert.equal(answer.status, 200);
      assert.match(answer.body, /"type":"authorization_response","response":\{"error":"login_required"/);
      assert.match(answer.body, /"state":"st-1"/);
      assert.match(answer.body, new RegExp(`postMessage\\(.*, "${origin('web')}"\\)`));
      assert.match(String(answer.headers['content-security-policy']), new RegExp(`frame-ancestors ${origin('web')}(;|$)`));
      assert.equal(answer.headers['x-frame-options'], undefined);
    });

    test('web_message to an origin that is not an Allowed Web Origin: refused, and not as a message', async () => {
      const answer = await get(authorizeUrl({ client_id: 'other', redirect_uri: callback('other'), response_type: 'code', response_mode: 'web_message', state: 'st-1' }));
      assert.equal(answer.status, 302);
      assert.ok(answer.location?.startsWith(`${callback('other')}?`));
      const params = responseParams(answer.location);
      assert.equal(params.get('error'), 'invalid_request');
      assert.match(params.get('error_description')!, /Web Origin/);
      assert.equal(params.get('state'), 'st-1');
    });

    test('without a session the browser goes to the login page (or signup with screen_hint), bound by a cookie', async () => {
      const jar = new CookieJar();
      const login = await get(authorizeUrl(base), jar);
      assert.equal(login.status, 302);
      // Relative, as Auth0's: the browser stays on the host it used (127.0.0.1, a custom domain).
      assert.match(login.location!, /^\/u\/login\?state=[A-Za-z0-9_-]+$/);
      const cookie = login.setCookies.find((c) => c.startsWith('portcullis_txn='));
      assert.match(cookie ?? '', /; HttpOnly; SameSite=Lax; Max-Age=3600$/);
      const signup = await get(authorizeUrl({ ...base, screen_hint: 'signup' }), jar);
      assert.match(signup.location!, /\/u\/signup\?state=/);
      // Another browser cannot use the transaction.
      const path = new URL(login.location!, server.baseUrl).pathname + new URL(login.location!, server.baseUrl).search;
      assert.equal((await get(path, jar)).status, 200);
      assert.equal((await get(path, new CookieJar())).status, 400);
    });
  });

  describe('with an SSO session', () => {
    test('prompt=none answers with a code; query, form_post and web_message', async () => {
      const jar = await loggedIn();
      const query = await get(authorizeUrl({ ...base, prompt: 'none' }), jar);
      assert.equal(query.status, 302);
      const params = responseParams(query.location);
      assert.ok(params.get('code'));
      assert.equal(params.get('state'), 'st-1');
      assert.equal(params.get('iss'), server.issuer);
      const formPost = await get(authorizeUrl({ ...base, prompt: 'none', response_mode: 'form_post' }), jar);
      assert.equal(formPost.status, 200);
      assert.match(inputValue(formPost.body, 'code') ?? '', /^[A-Za-z0-9_-]{43}$/);
      const message = await get(authorizeUrl({ ...base, prompt: 'none', response_mode: 'web_message' }), jar);
      assert.match(message.body, /"response":\{"code":"[A-Za-z0-9_-]{43}","state":"st-1","iss":/);
    });

    test('prompt=none with an expired max_age: login_required', async () => {
      const jar = await loggedIn();
      assertRedirectedError(await get(authorizeUrl({ ...base, prompt: 'none', max_age: '0' }), jar), 'login_required');
    });

    test('prompt=login and max_age=0 show the login page despite the session', async () => {
      const jar = await loggedIn();
      for (const extra of [{ prompt: 'login' }, { max_age: '0' }] as Record<string, string>[]) {
        const answer = await get(authorizeUrl({ ...base, ...extra }), jar);
        assert.equal(answer.status, 302);
        assert.match(answer.location!, /\/u\/login\?state=/, JSON.stringify(extra));
      }
    });

    test('implicit id_token token: fragment with at_hash, nonce and a Bearer token', async () => {
      const jar = await loggedIn();
      const answer = await get(authorizeUrl({ ...base, response_type: 'id_token token', nonce: 'nonce-1' }), jar);
      assert.equal(answer.status, 302);
      const params = responseParams(answer.location, 'fragment');
      const accessToken = params.get('access_token')!;
      assert.ok(accessToken);
      assert.equal(params.get('token_type'), 'Bearer');
      assert.equal(params.get('expires_in'), '7200');
      assert.equal(params.get('state'), 'st-1');
      assert.equal(params.get('iss'), server.issuer);
      assert.equal(params.has('refresh_token'), false);
      assert.equal(params.has('code'), false);
      const claims = decodeJwt(params.get('id_token')!);
      assert.equal(claims.nonce, 'nonce-1');
      assert.equal(claims.at_hash, halfHash(accessToken));
      assert.equal(claims.aud, 'web');
    });

    test('implicit id_token alone: no access token, no at_hash', async () => {
      const jar = await loggedIn();
      const params = responseParams((await get(authorizeUrl({ ...base, response_type: 'id_token', nonce: 'nonce-2' }), jar)).location, 'fragment');
      assert.equal(params.has('access_token'), false);
      const claims = decodeJwt(params.get('id_token')!);
      assert.equal(claims.nonce, 'nonce-2');
      assert.equal(claims.at_hash, undefined);
    });

    test('hybrid code id_token: c_hash of the code, and the code redeems', async () => {
      const jar = await loggedIn();
      const params = responseParams((await get(authorizeUrl({ ...base, response_type: 'code id_token', nonce: 'nonce-3' }), jar)).location, 'fragment');
      const code = params.get('code')!;
      const claims = decodeJwt(params.get('id_token')!);
      assert.equal(claims.c_hash, halfHash(code));
      assert.equal(claims.nonce, 'nonce-3');
      const token = await tokenRequest({ grant_type: 'authorization_code', client_id: 'web', client_secret: webSecret, code, redirect_uri: callback('web') });
      assert.equal(token.status, 200, JSON.stringify(token.body));
      assert.equal(decodeJwt(token.body.id_token as string).nonce, 'nonce-3');
    });

    test("id_token_hint: the hinted user's session answers, another user's does not, a forged hint is refused", async () => {
      const jar = await loggedIn();
      const implicit = { ...base, response_type: 'id_token', nonce: 'n-hint', prompt: 'none' };
      const idToken = responseParams((await get(authorizeUrl(implicit), jar)).location, 'fragment').get('id_token')!;
      const same = responseParams((await get(authorizeUrl({ ...base, prompt: 'none', id_token_hint: idToken }), jar)).location);
      assert.ok(same.get('code'), 'the same user: a code');
      const johnJar = await loggedIn(john);
      assertRedirectedError(await get(authorizeUrl({ ...base, prompt: 'none', id_token_hint: idToken }), johnJar), 'login_required');
      const [header, payload] = idToken.split('.');
      const forged = `${header}.${payload}.${randomBytes(256).toString('base64url')}`;
      assertRedirectedError(await get(authorizeUrl({ ...base, prompt: 'none', id_token_hint: forged }), jar), 'invalid_request', { description: /id_token_hint/ });
    });

    test('a third-party client needs consent: prompt=none says consent_required, otherwise the consent page', async () => {
      const jar = await loggedIn();
      const partner = { client_id: 'partner', redirect_uri: callback('partner'), response_type: 'code', state: 'st-p', code_challenge: challengeOf('p'.repeat(43)), code_challenge_method: 'S256' };
      const silent = await get(authorizeUrl({ ...partner, prompt: 'none' }), jar);
      assert.equal(responseParams(silent.location).get('error'), 'consent_required');
      assert.equal(responseParams(silent.location).get('state'), 'st-p');
      const page = await get(authorizeUrl(partner), jar);
      assert.match(page.location!, /\/u\/consent\?state=/);
    });
  });

  async function tokenRequest(form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${server.baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  describe('code flow with openid-client v6', () => {
    let config: client.Configuration;
    before(async () => {
      config = await client.discovery(new URL(server.issuer), 'web', webSecret, client.ClientSecretPost(webSecret), { execute: [client.allowInsecureRequests] });
    });

    async function codeFlow(jar: CookieJar, params: Record<string, string> = {}, expectLogin = true) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: callback('web'),
        scope: 'openid profile email offline_access',
        audience,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...params,
      });
      const answer = expectLogin ? await logIn(jar, url.pathname + url.search) : await get(url.pathname + url.search, jar);
      assert.equal(answer.status, 302, answer.body);
      const callbackUrl = new URL(answer.location!);
      assert.equal(`${callbackUrl.origin}${callbackUrl.pathname}`, callback('web'));
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
      return { tokens, callbackUrl, verifier, claims: tokens.claims()! };
    }

    async function refusal(promise: Promise<unknown>): Promise<{ status: number; error: string; description: string | undefined }> {
      try {
        await promise;
      } catch (error) {
        if (error instanceof client.ResponseBodyError) return { status: error.status, error: error.error, description: error.error_description };
        throw error;
      }
      assert.fail('expected the token request to be refused');
    }

    test('login, code, tokens: iss checked, nonce and auth_time in the ID token, a refresh token with offline_access', async () => {
      const jar = new CookieJar();
      const { tokens, callbackUrl, claims } = await codeFlow(jar);
      assert.equal(callbackUrl.searchParams.get('iss'), server.issuer);
      assert.equal(claims.iss, server.issuer);
      assert.equal(claims.aud, 'web');
      assert.equal(typeof claims.auth_time, 'number');
      assert.equal(claims.sid, jar.get('portcullis_session')?.split('.')[0]);
      assert.ok(tokens.refresh_token, 'offline_access on an API that allows it');
      assert.equal(decodeJwt(tokens.access_token).aud?.[0], audience);
    });

    test('SSO reuse keeps auth_time; max_age=0 and prompt=login log in again', async () => {
      const jar = new CookieJar();
      const first = await codeFlow(jar);
      const reused = await codeFlow(jar, { max_age: '100000' }, false);
      assert.equal(reused.claims.auth_time, first.claims.auth_time);
      assert.equal(reused.claims.sid, first.claims.sid);
      const silent = await codeFlow(jar, { prompt: 'none' }, false);
      assert.equal(silent.claims.auth_time, first.claims.auth_time);
      // A login page shown again: a new login, a new auth_time no older than the first.
      await new Promise((r) => setTimeout(r, 1100));
      const forced = await codeFlow(jar, { max_age: '0' });
      assert.ok((forced.claims.auth_time as number) > (first.claims.auth_time as number));
      const again = await codeFlow(jar, { prompt: 'login' });
      assert.ok((again.claims.auth_time as number) >= (forced.claims.auth_time as number));
    });

    test('a replayed code fails and revokes the refresh token it issued', async () => {
      const jar = new CookieJar();
      const { tokens, callbackUrl, verifier } = await codeFlow(jar);
      const state = callbackUrl.searchParams.get('state')!;
      const replay = await refusal(client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true }));
      assert.deepEqual([replay.status, replay.error, replay.description], [403, 'invalid_grant', 'Invalid authorization code']);
      const refresh = await refusal(client.refreshTokenGrant(config, tokens.refresh_token!));
      assert.equal(refresh.status, 403);
      assert.equal(refresh.error, 'invalid_grant');
    });

    test('PKCE and redirect_uri are checked at the token endpoint; refusals do not spend the code', async () => {
      const jar = new CookieJar();
      await codeFlow(jar);
      const verifier = client.randomPKCECodeVerifier();
      const answer = await get(authorizeUrl({ ...base, prompt: 'none', code_challenge: challengeOf(verifier), code_challenge_method: 'S256' }), jar);
      const code = responseParams(answer.location).get('code')!;
      const request = { grant_type: 'authorization_code', client_id: 'web', client_secret: webSecret, code, redirect_uri: callback('web'), code_verifier: verifier };
      const refused = async (form: Record<string, string | undefined>, description: string | RegExp) => {
        const result = await tokenRequest(Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined)));
        assert.equal(result.status, 403, JSON.stringify(result.body));
        assert.equal(result.body.error, 'invalid_grant');
        if (typeof description === 'string') assert.equal(result.body.error_description, description);
        else assert.match(String(result.body.error_description), description);
      };
      await refused({ ...request, code_verifier: client.randomPKCECodeVerifier() }, 'Failed to verify code verifier');
      await refused({ ...request, code_verifier: undefined }, 'Failed to verify code verifier');
      await refused({ ...request, code_verifier: 'short' }, 'Failed to verify code verifier');
      await refused({ ...request, redirect_uri: `${callback('web')}/second` }, /redirect_uri/);
      await refused({ ...request, redirect_uri: undefined }, /redirect_uri/);
      await refused({ ...request, client_id: 'other', client_secret: otherSecret }, 'Invalid authorization code');
      await refused({ ...request, code: randomBytes(32).toString('base64url') }, 'Invalid authorization code');
      const ok = await tokenRequest(request);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    });

    test('a code without PKCE refuses a verifier', async () => {
      const jar = await loggedIn();
      const code = responseParams((await get(authorizeUrl({ ...base, prompt: 'none' }), jar)).location).get('code')!;
      const refused = await tokenRequest({ grant_type: 'authorization_code', client_id: 'web', client_secret: webSecret, code, redirect_uri: callback('web'), code_verifier: client.randomPKCECodeVerifier() });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error, 'invalid_grant');
    });

    test('concurrent redemptions of one code: exactly one wins', async () => {
      const jar = await loggedIn();
      const code = responseParams((await get(authorizeUrl({ ...base, prompt: 'none' }), jar)).location).get('code')!;
      const form = { grant_type: 'authorization_code', client_id: 'web', client_secret: webSecret, code, redirect_uri: callback('web') };
      const results = await Promise.all(Array.from({ length: 6 }, () => tokenRequest(form)));
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 403, 403, 403, 403, 403]);
    });
  });

  test('malformed /authorize queries never get a 5xx', async () => {
    const value = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('code', 'token', 'id_token token', 'none', 'query', 'web_message', 'form_post', 'S256', 'plain', '0', '-1', callback('web'), 'web', 'spa', '%', '\u0000'));
    // client_id and redirect_uri come first; naming them again is the repeated-parameter case.
    const name = fc.constantFrom('client_id', 'redirect_uri', 'response_type', 'response_mode', 'scope', 'state', 'nonce', 'prompt', 'max_age', 'code_challenge', 'code_challenge_method', 'audience', 'connection', 'request', 'login_hint', 'screen_hint', 'x');
    await fc.assert(
      fc.asyncProperty(fc.dictionary(name, value, { maxKeys: 10 }), async (params) => {
        const query = Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const answer = await get(`/authorize?client_id=web&redirect_uri=${encodeURIComponent(callback('web'))}&${query}`);
        assert.ok(answer.status < 500, `${answer.status} for ${query}: ${answer.body.slice(0, 300)}`);
        assert.ok([200, 302, 400].includes(answer.status), `${answer.status} for ${query}`);
      }),
      { numRuns: 150 },
    );
  });
});
