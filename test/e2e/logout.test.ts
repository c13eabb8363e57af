import assert from 'node:assert/strict';
import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createRemoteJWKSet, decodeJwt, jwtVerify, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { ensureLocalKeyset } from '../../infra/keys/local-keyset.ts';
import type { KeysetDocument } from '../../shared/tokens/keyset-document.ts';
import { form, formHeaders, jsonOf, rawRequest, type RawResponse } from '../support/http-client.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * Logout end to end (reference §5): `GET /v2/logout`, `GET|POST /oidc/logout` and OIDC
 * back-channel logout, against the real local server. ID token hints come two ways: minted
 * here with the server's own keyset file (so an expired one can be tested without waiting),
 * and issued by the server (password-realm grant, authorization code after a hosted login).
 */
const connection = 'Username-Password-Authentication';
const email = 'logout-user@example.com';
const password = 'Logout-Test-Passw0rd!';
const webSecret = 'web-secret-0123456789abcdefghijklmnop';
const webLogout = ['https://web.example.test/logged-out', 'https://web.example.test/bye'];
const otherLogout = ['https://other.example.test/done'];
const tenantLogout = ['https://tenant.example.test/goodbye'];
const passwordRealm = 'http://auth0.com/oauth/grant-type/password-realm';

/** The RP's back-channel logout endpoint and its callback, on loopback. */
interface Receiver {
  readonly server: Server;
  readonly base: string;
  readonly tokens: string[];
}

async function startReceiver(): Promise<Receiver> {
  const tokens: string[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.method === 'POST' && req.url === '/backchannel') {
      const token = new URLSearchParams(body).get('logout_token');
      if (token) tokens.push(token);
      res.writeHead(200, { 'Cache-Control': 'no-store' }).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('callback');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tokens };
}

function tenantFor(receiver: Receiver) {
  return {
    tenant: {
      friendly_name: 'Logout E2E',
      default_directory: connection,
      allowed_logout_urls: tenantLogout,
      // The property test below sends many requests; it must never meet a rate limit.
      rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 } },
    },
    clients: [
      {
        name: 'Web',
        client_id: 'web-client',
        app_type: 'regular_web',
        client_secret: webSecret,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code', 'refresh_token', passwordRealm],
        callbacks: [`${receiver.base}/callback`],
        allowed_logout_urls: webLogout,
        oidc_logout: { backchannel_logout_urls: [`${receiver.base}/backchannel`] },
      },
      {
        name: 'Other',
        client_id: 'other-client',
        app_type: 'regular_web',
        client_secret: 'other-secret-0123456789abcdefghijklmn',
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        callbacks: [`${receiver.base}/other-callback`],
        allowed_logout_urls: otherLogout,
      },
      {
        name: 'No logout URLs',
        client_id: 'bare-client',
        app_type: 'regular_web',
        client_secret: 'bare-secret-0123456789abcdefghijklmno',
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        callbacks: [`${receiver.base}/bare-callback`],
      },
    ],
    connections: [{ name: connection, strategy: 'auth0', enabled_clients: ['Web', 'Other', 'No logout URLs'] }],
    users: [{ connection, email, password, email_verified: true }],
  };
}

// --- HTML helpers: pages escape with numeric entities (shared/html/escape.ts) ---

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match ? decodeEntities(match[1]!) : undefined;
}

/** The first form of a page: its action and the values of its named inputs. */
function firstForm(page: string): { action: string | undefined; fields: Record<string, string> } {
  const formTag = /<form\b[^>]*>/.exec(page);
  assert.ok(formTag, `a form on the page: ${page.slice(0, 300)}`);
  const body = page.slice(formTag.index, page.indexOf('</form>', formTag.index));
  const fields: Record<string, string> = {};
  for (const [tag] of body.matchAll(/<input\b[^>]*>/g)) {
    const name = attribute(tag, 'name');
    if (name) fields[name] = attribute(tag, 'value') ?? '';
  }
  return { action: attribute(formTag[0], 'action'), fields };
}

// --- A cookie-keeping user agent over raw HTTP (SameSite is the browser's business, not tested here) ---

class Browser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly server: LocalServer) {}

  /** Our own URLs under the issuer (localhost) are reached through the base URL. */
  resolve(url: string, base = `${this.server.baseUrl}/`): URL {
    const absolute = new URL(url, base);
    const issuer = new URL(this.server.issuer);
    if (absolute.origin === issuer.origin) return new URL(`${absolute.pathname}${absolute.search}`, this.server.baseUrl);
    return absolute;
  }

  async request(url: string | URL, options: { method?: string; form?: Record<string, string>; cookies?: boolean } = {}): Promise<RawResponse> {
    const headers: Record<string, string> = {};
    if (options.cookies !== false && this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (options.form) Object.assign(headers, formHeaders);
    const res = await rawRequest(this.resolve(String(url)), { method: options.method ?? (options.form ? 'POST' : 'GET'), headers, body: options.form ? form(options.form) : undefined });
    for (const line of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const deleted = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (deleted) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Follows redirects on our server until one leaves it (to the client) or a page answers. */
  async follow(res: RawResponse, from: string): Promise<{ res: RawResponse; url: string }> {
    let url = from;
    for (let hops = 0; hops < 10 && res.status >= 300 && res.status < 400; hops++) {
      url = this.resolve(String(res.headers.location), url).href;
      if (!url.startsWith(this.server.baseUrl)) return { res, url };
      res = await this.request(url);
    }
    return { res, url };
  }
}

describe('logout', () => {
  let server: LocalServer;
  let receiver: Receiver;
  let dataDir: string;
  let keysetDoc: KeysetDocument;

  before(async () => {
    receiver = await startReceiver();
    // A data folder of our own whose keyset we know, so the tests can mint ID tokens the
    // server accepts; its own table prefix keeps it apart from other servers.
    dataDir = await mkdtemp(join(tmpdir(), 'portcullis-logout-'));
    keysetDoc = await ensureLocalKeyset(join(dataDir, 'keyset.json'));
    server = await startLocalServer({
      tenant: tenantFor(receiver),
      persistent: { dataDir },
      env: { PORTCULLIS_TABLE_PREFIX: `lo${randomBytes(5).toString('hex')}` },
    });
  });
  after(async () => {
    await server?.stop();
    receiver?.server.closeAllConnections();
    receiver?.server.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}) => rawRequest(`${server.baseUrl}${path}`, { headers });
  const postForm = (path: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
    rawRequest(`${server.baseUrl}${path}`, { method: 'POST', headers: { ...formHeaders, ...headers }, body: form(params) });
  const query = (params: Record<string, string>) => `?${form(params)}`;

  const assertErrorPage = (res: RawResponse, text: string | RegExp) => {
    assert.equal(res.status, 400, res.body.slice(0, 300));
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers.location, undefined, 'an error is never a redirect');
    const body = decodeEntities(res.body);
    assert.match(body, /invalid_request/);
    if (typeof text === 'string') assert.ok(body.includes(text), body);
    else assert.match(body, text);
  };
  const assertRedirect = (res: RawResponse, location: string) => {
    assert.equal(res.status, 302, res.body.slice(0, 300));
    assert.equal(res.headers.location, location);
  };

  /** An ID token signed with the server's current RS256 key, as /authorize and /oauth/token sign them. */
  async function mintIdToken(claims: Record<string, unknown>, options: { expired?: boolean; key?: 'ours' | 'foreign' } = {}): Promise<string> {
    const stored = keysetDoc.keys.find((k) => k.alg === 'RS256' && k.status === 'current')!;
    const key = options.key === 'foreign' ? createPrivateKey({ key: (await ensureLocalKeyset(join(dataDir, 'foreign.json'))).keys.find((k) => k.alg === 'RS256')!.privateJwk as never, format: 'jwk' }) : createPrivateKey({ key: stored.privateJwk as never, format: 'jwk' });
    const now = Math.floor(Date.now() / 1000);
    const [iat, exp] = options.expired ? [now - 86_400, now - 50_400] : [now, now + 36_000];
    return new SignJWT({ iss: server.issuer, sub: 'auth0|0123456789abcdef01234567', aud: 'web-client', iat, exp, sid: 'not-a-live-session-sid00', ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: stored.kid })
      .sign(key);
  }

  describe('GET /v2/logout', () => {
    test('a returnTo outside the application\'s Allowed Logout URLs: 400 error page with Auth0\'s text', async () => {
      const bad = 'https://evil.example.test/phish';
      assertErrorPage(await get(`/v2/logout${query({ client_id: 'web-client', returnTo: bad })}`), `The "returnTo" querystring parameter "${bad}" is not defined as a valid URL in "Allowed Logout URLs".`);
      // The tenant's list does not extend an application's.
      assertErrorPage(await get(`/v2/logout${query({ client_id: 'web-client', returnTo: tenantLogout[0]! })}`), /"returnTo" querystring parameter/);
      // Another application's URL is not this one's.
      assertErrorPage(await get(`/v2/logout${query({ client_id: 'web-client', returnTo: otherLogout[0]! })}`), /not defined as a valid URL/);
    });

    test('without client_id, returnTo is checked against the tenant\'s Allowed Logout URLs', async () => {
      assertRedirect(await get(`/v2/logout${query({ returnTo: tenantLogout[0]! })}`), tenantLogout[0]!);
      assertErrorPage(await get(`/v2/logout${query({ returnTo: webLogout[0]! })}`), `The "returnTo" querystring parameter "${webLogout[0]}" is not defined`);
    });

    test('an allowed returnTo: 302 there, with its own query kept (Auth0 ignores the query when matching)', async () => {
      assertRedirect(await get(`/v2/logout${query({ client_id: 'web-client', returnTo: webLogout[1]! })}`), webLogout[1]!);
      const withQuery = `${webLogout[0]}?from=app&x=1`;
      assertRedirect(await get(`/v2/logout${query({ client_id: 'web-client', returnTo: withQuery })}`), withQuery);
      assertErrorPage(await get(`/v2/logout${query({ client_id: 'web-client', returnTo: `${webLogout[0]}/deeper` })}`), /not defined as a valid URL/);
    });

    test('client_id without returnTo: the application\'s first Allowed Logout URL', async () => {
      assertRedirect(await get(`/v2/logout${query({ client_id: 'web-client' })}`), webLogout[0]!);
    });

    test('the value-less federated flag is accepted', async () => {
      assertRedirect(await get(`/v2/logout?federated&client_id=web-client&returnTo=${encodeURIComponent(webLogout[1]!)}`), webLogout[1]!);
    });

    test('neither returnTo nor client_id: a 200 "You have been logged out" page', async () => {
      for (const path of ['/v2/logout', '/v2/logout?federated', '/v2/logout?client_id=bare-client']) {
        const res = await get(path);
        assert.equal(res.status, 200, path);
        assert.match(String(res.headers['content-type']), /^text\/html/);
        assert.match(res.body, /You have been logged out/);
        assert.equal(res.headers['x-frame-options'], 'DENY');
      }
    });

    test('an unknown client, a repeated parameter: 400 error pages', async () => {
      assertErrorPage(await get(`/v2/logout${query({ client_id: 'nobody', returnTo: webLogout[0]! })}`), 'Unknown client: nobody');
      assertErrorPage(await get(`/v2/logout?client_id=web-client&returnTo=${encodeURIComponent(webLogout[0]!)}&returnTo=https%3A%2F%2Fevil.test%2F`), /returnTo.*more than once/);
    });
  });

  describe('GET and POST /oidc/logout with an id_token_hint', () => {
    test('the hint selects the application; post_logout_redirect_uri gets state back', async () => {
      const hint = await mintIdToken({});
      const res = await get(`/oidc/logout${query({ id_token_hint: hint, post_logout_redirect_uri: webLogout[1]!, state: 'st a&te' })}`);
      assertRedirect(res, `${webLogout[1]}?state=st+a%26te`);
      assert.equal(res.headers['cache-control'], 'no-store');
    });

    test('an expired ID token is still a valid hint (RP-Initiated Logout §2)', async () => {
      const hint = await mintIdToken({}, { expired: true });
      assertRedirect(await get(`/oidc/logout${query({ id_token_hint: hint, post_logout_redirect_uri: webLogout[0]!, state: 's1' })}`), `${webLogout[0]}?state=s1`);
    });

    test('without post_logout_redirect_uri: the application\'s first Allowed Logout URL, with state', async () => {
      assertRedirect(await get(`/oidc/logout${query({ id_token_hint: await mintIdToken({}), state: 'xyz' })}`), `${webLogout[0]}?state=xyz`);
      assertRedirect(await get(`/oidc/logout${query({ client_id: 'other-client', state: 'xyz' })}`), `${otherLogout[0]}?state=xyz`);
    });

    test('as a form POST too', async () => {
      const res = await postForm('/oidc/logout', { id_token_hint: await mintIdToken({}), post_logout_redirect_uri: webLogout[0]!, state: 'posted', federated: 'false' });
      assertRedirect(res, `${webLogout[0]}?state=posted`);
    });

    test('a client_id other than the hint\'s audience: 400', async () => {
      const res = await get(`/oidc/logout${query({ id_token_hint: await mintIdToken({}), client_id: 'other-client', post_logout_redirect_uri: otherLogout[0]! })}`);
      assertErrorPage(res, /client_id.*does not match/);
    });

    test('a logout_hint other than the hint\'s sid: 400', async () => {
      const res = await get(`/oidc/logout${query({ id_token_hint: await mintIdToken({ sid: 'sid-of-the-token-0000000' }), logout_hint: 'some-other-sid-000000000' })}`);
      assertErrorPage(res, /logout_hint.*does not match/);
    });

    test('a post_logout_redirect_uri that is not exactly an Allowed Logout URL of the application: 400', async () => {
      const hint = await mintIdToken({});
      for (const uri of [otherLogout[0]!, tenantLogout[0]!, `${webLogout[0]}?x=1`, `${webLogout[0]}/`, 'https://evil.example.test/']) {
        assertErrorPage(await get(`/oidc/logout${query({ id_token_hint: hint, post_logout_redirect_uri: uri })}`), `The "post_logout_redirect_uri" querystring parameter "${uri}" is not defined`);
      }
    });

    test('a hint we did not sign, or that is not an ID token of one of our applications: 400', async () => {
      for (const hint of [
        await mintIdToken({}, { key: 'foreign' }),
        await mintIdToken({ aud: 'unknown-client' }),
        await mintIdToken({ iss: 'https://evil.example.test/' }),
        'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
        'garbage',
      ]) {
        assertErrorPage(await get(`/oidc/logout${query({ id_token_hint: hint, post_logout_redirect_uri: webLogout[0]! })}`), /id_token_hint/);
      }
    });

    test('POST: federated must be true or false; a repeated parameter is refused', async () => {
      assertErrorPage(await postForm('/oidc/logout', { client_id: 'web-client', federated: 'maybe' }), /federated/);
      const body = `client_id=web-client&${form({ post_logout_redirect_uri: webLogout[0]! })}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example.test/')}`;
      assertErrorPage(await rawRequest(`${server.baseUrl}/oidc/logout`, { method: 'POST', headers: formHeaders, body }), /more than once/);
    });

    test('without hint or client: the tenant\'s Allowed Logout URLs; without a URI, the logged-out page', async () => {
      assertRedirect(await get(`/oidc/logout${query({ post_logout_redirect_uri: tenantLogout[0]!, state: 't' })}`), `${tenantLogout[0]}?state=t`);
      assertErrorPage(await get(`/oidc/logout${query({ post_logout_redirect_uri: webLogout[0]! })}`), /post_logout_redirect_uri/);
      const page = await get('/oidc/logout');
      assert.equal(page.status, 200);
      assert.match(page.body, /You have been logged out/);
    });

    test('an ID token from the password-realm grant is a valid hint', async () => {
      const res = await postForm('/oauth/token', {
        grant_type: passwordRealm,
        realm: connection,
        username: email,
        password,
        client_id: 'web-client',
        client_secret: webSecret,
        scope: 'openid',
      });
      assert.equal(res.status, 200, res.body);
      const idToken = jsonOf<{ id_token: string }>(res).id_token;
      assert.equal(decodeJwt(idToken).aud, 'web-client');
      assertRedirect(await get(`/oidc/logout${query({ id_token_hint: idToken, post_logout_redirect_uri: webLogout[1]!, state: 'pr' })}`), `${webLogout[1]}?state=pr`);
    });
  });

  describe('ending the SSO session', () => {
    const redirectUri = () => `${receiver.base}/callback`;

    /** A hosted login over HTTP (GET /authorize, POST the /u/login form), then the code exchange. */
    async function logIn(browser: Browser): Promise<{ idToken: string; sid: string; sub: string }> {
      const verifier = randomBytes(32).toString('base64url');
      const authorizeUrl = `${server.baseUrl}/authorize${query({
        response_type: 'code',
        client_id: 'web-client',
        redirect_uri: redirectUri(),
        scope: 'openid profile email',
        state: 'login-state',
        nonce: 'login-nonce',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      })}`;
      let { res, url } = await browser.follow(await browser.request(authorizeUrl), authorizeUrl);
      assert.equal(res.status, 200, `the login page: ${res.body.slice(0, 300)}`);
      const login = firstForm(res.body);
      assert.ok('password' in login.fields || /name="password"/.test(res.body), 'a password field');
      const submitted = await browser.request(browser.resolve(login.action ?? url, url), { form: { ...login.fields, username: email, password } });
      ({ res, url } = await browser.follow(submitted, url));
      assert.ok(url.startsWith(redirectUri()), `back at the application: ${url} ${res.status} ${res.body.slice(0, 300)}`);
      const code = new URL(url).searchParams.get('code');
      assert.ok(code, url);
      const tokens = await postForm('/oauth/token', {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri(),
        client_id: 'web-client',
        client_secret: webSecret,
        code_verifier: verifier,
      });
      assert.equal(tokens.status, 200, tokens.body);
      const idToken = jsonOf<{ id_token: string }>(tokens).id_token;
      const claims = decodeJwt(idToken);
      assert.equal(typeof claims.sid, 'string', 'the ID token names the session');
      return { idToken, sid: String(claims.sid), sub: String(claims.sub) };
    }

    /** `prompt=none`: a code while the session lives, `login_required` once it has ended. */
    async function silentAuthorize(browser: Browser): Promise<URLSearchParams> {
      const url = `${server.baseUrl}/authorize${query({ response_type: 'code', client_id: 'web-client', redirect_uri: redirectUri(), scope: 'openid', state: 'silent', prompt: 'none', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGjSstw-cM', code_challenge_method: 'S256' })}`;
      const { url: landed } = await browser.follow(await browser.request(url), url);
      assert.ok(landed.startsWith(redirectUri()), landed);
      return new URL(landed).searchParams;
    }

    async function assertLogoutTokenFor(session: { sid: string; sub: string }): Promise<void> {
      const jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
      const mine = [];
      for (const token of receiver.tokens) {
        const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: server.issuer, audience: 'web-client', typ: 'logout+jwt', maxTokenAge: 120 });
        assert.equal(protectedHeader.typ, 'logout+jwt');
        if (payload.sid === session.sid) mine.push(payload);
      }
      assert.equal(mine.length, 1, 'exactly one logout token for the session');
      assert.equal(mine[0]!.sub, session.sub);
      assert.deepEqual(mine[0]!.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
      assert.equal(mine[0]!.nonce, undefined);
      assert.equal(typeof mine[0]!.jti, 'string');
    }

    test('/v2/logout ends the session: the cookie is cleared, prompt=none answers login_required, the RP gets a logout token', async () => {
      const browser = new Browser(server);
      const session = await logIn(browser);
      assert.ok((await silentAuthorize(browser)).get('code'), 'silent login works while the session lives');
      const sessionCookie = browser.cookies.get('portcullis_session');
      assert.ok(sessionCookie);

      const res = await browser.request(`${server.baseUrl}/v2/logout${query({ client_id: 'web-client', returnTo: webLogout[1]! })}`);
      assertRedirect(res, webLogout[1]!);
      assert.ok(([] as string[]).concat(res.headers['set-cookie'] ?? []).some((c) => /^portcullis_session=;/.test(c) && /Max-Age=0/i.test(c)), 'the session cookie is deleted');
      assert.equal(browser.cookies.has('portcullis_session'), false);
      assert.equal((await silentAuthorize(browser)).get('error'), 'login_required');
      await assertLogoutTokenFor(session);

      // The old cookie, replayed, opens nothing either.
      const replay = new Browser(server);
      replay.cookies.set('portcullis_session', sessionCookie);
      assert.equal((await silentAuthorize(replay)).get('error'), 'login_required');
    });

    test('/oidc/logout with the session\'s own ID token logs out at once', async () => {
      const browser = new Browser(server);
      const session = await logIn(browser);
      const res = await browser.request(`${server.baseUrl}/oidc/logout${query({ id_token_hint: session.idToken, post_logout_redirect_uri: webLogout[0]!, state: 'bye' })}`);
      assertRedirect(res, `${webLogout[0]}?state=bye`);
      assert.equal(browser.cookies.has('portcullis_session'), false);
      assert.equal((await silentAuthorize(browser)).get('error'), 'login_required');
      await assertLogoutTokenFor(session);
    });

    test('openid-client: the discovered end_session_endpoint with buildEndSessionUrl logs out and comes back with state', async () => {
      const config = await oidc.discovery(new URL(server.issuer), 'web-client', webSecret, undefined, { execute: [oidc.allowInsecureRequests] });
      assert.equal(config.serverMetadata().end_session_endpoint, `${server.issuer}oidc/logout`);
      const browser = new Browser(server);
      const session = await logIn(browser);
      const url = oidc.buildEndSessionUrl(config, { id_token_hint: session.idToken, post_logout_redirect_uri: webLogout[1]!, state: 'oc-state' });
      const res = await browser.request(url.href);
      assertRedirect(res, `${webLogout[1]}?state=oc-state`);
      assert.equal((await silentAuthorize(browser)).get('error'), 'login_required');
      await assertLogoutTokenFor(session);
    });

    test('/oidc/logout posted cross-site (no session cookie) ends the session its ID token names', async () => {
      const browser = new Browser(server);
      const session = await logIn(browser);
      const res = await postForm('/oidc/logout', { id_token_hint: session.idToken, post_logout_redirect_uri: webLogout[0]!, state: 'x' });
      assertRedirect(res, `${webLogout[0]}?state=x`);
      assert.equal((await silentAuthorize(browser)).get('error'), 'login_required');
      await assertLogoutTokenFor(session);
    });

    test('/oidc/logout without a hint asks the user; the form is CSRF-protected and logs out when posted from the page', async () => {
      const browser = new Browser(server);
      const session = await logIn(browser);
      const url = `${server.baseUrl}/oidc/logout${query({ client_id: 'web-client', post_logout_redirect_uri: webLogout[1]!, state: 'confirm' })}`;
      const page = await browser.request(url);
      assert.equal(page.status, 200, page.body.slice(0, 300));
      assert.match(page.body, /<button type="submit">Log out<\/button>/);
      assert.equal(page.headers['x-frame-options'], 'DENY');
      const confirmation = firstForm(page.body);
      assert.equal(confirmation.action, '/oidc/logout');
      assert.ok(confirmation.fields.csrf_token);
      assert.ok((await silentAuthorize(browser)).get('code'), 'showing the page logged nobody out');

      // Another site posting the form: no SameSite=Strict confirmation cookie comes along.
      const forged = await postForm('/oidc/logout', confirmation.fields, { cookie: `portcullis_session=${browser.cookies.get('portcullis_session')}` });
      assertErrorPage(forged, /confirmation/);
      const wrongToken = await browser.request(url, { form: { ...confirmation.fields, csrf_token: 'x'.repeat(43) } });
      assertErrorPage(wrongToken, /confirmation/);
      assert.ok((await silentAuthorize(browser)).get('code'), 'the refused posts logged nobody out');

      const res = await browser.request(browser.resolve(confirmation.action!), { form: confirmation.fields });
      assertRedirect(res, `${webLogout[1]}?state=confirm`);
      assert.equal(browser.cookies.has('portcullis_session'), false);
      assert.equal((await silentAuthorize(browser)).get('error'), 'login_required');
      await assertLogoutTokenFor(session);
    });

    test('the confirmation page lets its form lead to the client\'s first logout URL (CSP form-action), the destination without a post_logout_redirect_uri', async () => {
      const browser = new Browser(server);
      await logIn(browser);
      const page = await browser.request(`${server.baseUrl}/oidc/logout${query({ client_id: 'web-client' })}`);
      assert.equal(page.status, 200, page.body.slice(0, 300));
      assert.match(String(page.headers['content-security-policy']), new RegExp(`form-action 'self' ${new URL(webLogout[0]!).origin}(;|$)`));
      const confirmation = firstForm(page.body);
      assertRedirect(await browser.request(browser.resolve(confirmation.action!), { form: confirmation.fields }), webLogout[0]!);
    });
  });

  test('property: malformed logout queries and bodies get a 2xx, 3xx or 4xx page, never a 5xx', async () => {
    const valueOf = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.constantFrom(...webLogout, ...tenantLogout, 'web-client', 'other-client', 'javascript:alert(1)', '//evil.test', 'true', 'false', '__proto__', 'constructor', '%zz', 'a'.repeat(5000)),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.base64String().map((s) => `eyJhbGciOiJSUzI1NiJ9.${s}.${s}`),
    );
    const names = fc.constantFrom('returnTo', 'client_id', 'federated', 'id_token_hint', 'post_logout_redirect_uri', 'logout_hint', 'state', 'ui_locales', 'csrf_token', '__proto__', 'constructor', '');
    const pairs = fc.array(fc.tuple(names, valueOf), { maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET /v2/logout', 'GET /oidc/logout', 'POST /oidc/logout'),
        pairs,
        fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', undefined),
        fc.option(fc.string(), { nil: undefined }),
        async (route, params, contentType, rawBody) => {
          const [method, path] = route.split(' ') as [string, string];
          const encoded = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
          const headers: Record<string, string> = {};
          if (contentType) headers['content-type'] = contentType;
          const res =
            method === 'GET'
              ? await rawRequest(`${server.baseUrl}${path}?${encoded}`, { timeoutMs: 15_000 })
              : await rawRequest(`${server.baseUrl}${path}`, { method, headers, body: rawBody ?? encoded, timeoutMs: 15_000 });
          assert.ok(res.status >= 200 && res.status < 500, `${route} ${encoded.slice(0, 200)} → ${res.status}: ${res.body.slice(0, 300)}`);
          if (res.status >= 400) assert.match(String(res.headers['content-type']), /^text\/html/);
          if (res.status >= 300 && res.status < 400) {
            const location = String(res.headers.location);
            assert.ok([...webLogout, ...otherLogout, ...tenantLogout].some((allowed) => location.startsWith(allowed)), `redirect only to an allowed URL: ${location}`);
          }
        },
      ),
      { numRuns: 300 },
    );
    assert.doesNotMatch(server.output(), /"level":"error"/, 'no request reached the unhandled-error path');
  });
});
