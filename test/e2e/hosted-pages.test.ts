import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { CookieJar, inputValue, send, type HttpAnswer } from '../support/http-browser.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * The hosted login, signup and consent pages over raw HTTP, as a browser without JavaScript
 * uses them: /authorize → /u/login → POST → 302 to the callback with a code; the SSO cookie
 * lets a second application in without a prompt; CSRF, clickjacking headers, error pages,
 * and the same pages behind a custom domain's TLS proxy (Secure cookies, relative links).
 */
const audience = 'https://orders.example.test/';
const callback = (app: string) => `https://${app}.example.test/callback`;
const customDomain = 'login.example.test';
const cnameKey = 'cname-key-0123456789abcdef';
const jane = { email: 'jane@example.com', password: 'Correct-Horse-9' };
/** Gets blocked by brute-force protection in one test; no other test uses him. */
const bob = { email: 'bob@example.com', password: 'Bobs-Own-Pass-4' };
const ann = { email: 'ann@example.com', password: 'Anns-Own-Pass-7' };

const tenant = {
  tenant: { friendly_name: 'Hosted Pages Co' },
  resourceServers: [{ name: 'Orders API', identifier: audience, scopes: [{ value: 'read:orders' }] }],
  clients: [
    { name: 'App One', client_id: 'app-one', app_type: 'spa', grant_types: ['authorization_code'], callbacks: [callback('one')] },
    { name: 'App Two', client_id: 'app-two', app_type: 'spa', grant_types: ['authorization_code'], callbacks: [callback('two')] },
    { name: 'Partner & <Co>', client_id: 'partner', app_type: 'spa', is_first_party: false, grant_types: ['authorization_code'], callbacks: [callback('partner')] },
    { name: 'Closed App', client_id: 'closed', app_type: 'spa', grant_types: ['authorization_code'], callbacks: [callback('closed')] },
    { name: 'No Connection', client_id: 'lonely', app_type: 'spa', grant_types: ['authorization_code'], callbacks: [callback('lonely')] },
  ],
  connections: [
    { name: 'Users', strategy: 'auth0', enabled_clients: ['App One', 'App Two', 'Partner & <Co>'], options: { passwordPolicy: 'good' } },
    { name: 'Closed', strategy: 'auth0', enabled_clients: ['Closed App'], options: { disable_signup: true } },
  ],
  users: [
    { connection: 'Users', email: jane.email, password: jane.password, email_verified: true },
    { connection: 'Users', email: bob.email, password: bob.password, email_verified: true },
    { connection: 'Users', email: ann.email, password: ann.password, email_verified: true },
  ],
  customDomains: [{ domain: customDomain, type: 'self_managed_certs', cname_api_key: cnameKey }],
};

interface Authorization {
  readonly url: string;
  readonly verifier: string;
  readonly state: string;
  readonly clientId: string;
}

function authorization(clientId: string, params: Record<string, string> = {}): Authorization {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: callback(clientId.replace('app-', '')),
    scope: 'openid profile email',
    state,
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...params,
  });
  return { url: `/authorize?${query}`, verifier, state, clientId };
}

const pathOf = (location: string | undefined) => {
  assert.ok(location, 'a Location header');
  const url = new URL(location, 'http://relative.invalid');
  return `${url.pathname}${url.search}`;
};
const cookieLine = (answer: HttpAnswer, name: string) => answer.setCookies.find((c) => c.startsWith(`${name}=`));
const sidOf = (jar: CookieJar) => jar.get('portcullis_session')?.split('.')[0];

describe('hosted pages over HTTP (local server)', () => {
  let server: LocalServer;
  const get = (path: string, jar?: CookieJar, headers?: Record<string, string>) => send(server.baseUrl, path, { ...(jar ? { jar } : {}), ...(headers ? { headers } : {}) });
  const post = (path: string, form: Record<string, string>, jar?: CookieJar, headers?: Record<string, string>) =>
    send(server.baseUrl, path, { form, ...(jar ? { jar } : {}), ...(headers ? { headers } : {}) });

  /** /authorize → the hosted page it sends the browser to; returns the page and its path. */
  async function openPage(jar: CookieJar, auth: Authorization, expected = '/u/login', headers?: Record<string, string>) {
    const started = await get(auth.url, jar, headers);
    assert.equal(started.status, 302, started.body);
    const path = pathOf(started.location);
    assert.equal(path.split('?')[0], expected);
    const page = await get(path, jar, headers);
    assert.equal(page.status, 200, page.body);
    return { page, path, started };
  }

  /** The form of a page, filled: hidden fields (state, _csrf) plus `fields`. */
  const formOf = (page: HttpAnswer, fields: Record<string, string>) => ({ state: inputValue(page.body, 'state')!, _csrf: inputValue(page.body, '_csrf')!, ...fields });

  async function login(jar: CookieJar, auth: Authorization, who = jane) {
    const { page, path } = await openPage(jar, auth);
    return post(path, formOf(page, { username: who.email, password: who.password }), jar);
  }

  /** The code of a callback redirect, checked against the request's state. */
  function codeOf(answer: HttpAnswer, auth: Authorization): string {
    assert.equal(answer.status, 302, answer.body);
    const url = new URL(answer.location!);
    assert.equal(`${url.origin}${url.pathname}`, callback(auth.clientId.replace('app-', '')));
    assert.equal(url.searchParams.get('state'), auth.state);
    const code = url.searchParams.get('code');
    assert.ok(code, `a code in ${url.search}`);
    return code;
  }

  async function redeem(code: string, auth: Authorization): Promise<Record<string, unknown>> {
    const res = await fetch(`${server.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: auth.clientId, code, redirect_uri: callback(auth.clientId.replace('app-', '')), code_verifier: auth.verifier }),
    });
    const body = (await res.json()) as { id_token?: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    return decodeJwt(body.id_token!);
  }

  before(async () => {
    server = await startLocalServer({ tenant });
  });
  after(() => server?.stop());

  test('login: /authorize → /u/login → POST → 302 to the callback with a code; the SSO cookie is set', async () => {
    const jar = new CookieJar();
    const auth = authorization('app-one', { login_hint: 'jane@example.com' });
    const { page, path } = await openPage(jar, auth);
    assert.match(page.body, /Hosted Pages Co/);
    assert.match(page.body, /App One/);
    assert.equal(inputValue(page.body, 'username'), 'jane@example.com', 'prefilled from login_hint');
    assert.match(page.body, /<button type="submit">Continue<\/button>/);
    const answer = await post(path, formOf(page, { username: jane.email, password: jane.password }), jar);
    const code = codeOf(answer, auth);
    const session = cookieLine(answer, 'portcullis_session');
    assert.ok(session, 'the session cookie');
    assert.match(session, /; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800$/, 'http issuer: Lax, not Secure; absolute lifetime');
    const claims = await redeem(code, auth);
    assert.equal(claims.sid, sidOf(jar), 'the ID token names the session');
    assert.equal(claims.email, jane.email);
  });

  test('headers: no framing, a CSP, no caching, on the pages and on error pages', async () => {
    const { page } = await openPage(new CookieJar(), authorization('app-one'));
    const error = await get('/u/login?state=nope');
    for (const answer of [page, error]) {
      assert.equal(answer.headers['x-frame-options'], 'DENY');
      const csp = String(answer.headers['content-security-policy']);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'none'/);
      assert.match(csp, /form-action 'self'/);
      assert.equal(answer.headers['cache-control'], 'no-store');
      assert.match(String(answer.headers['content-type']), /^text\/html/);
    }
  });

  test('a wrong password re-renders the form: 400, the reason, the username, never the password, no session', async () => {
    const jar = new CookieJar();
    const auth = authorization('app-one');
    const { page, path } = await openPage(jar, auth);
    const wrong = 'Not-The-Password-1';
    const answer = await post(path, formOf(page, { username: jane.email, password: wrong }), jar);
    assert.equal(answer.status, 400);
    assert.match(answer.body, /role="alert">Wrong email or password.</);
    assert.equal(inputValue(answer.body, 'username'), jane.email);
    assert.ok(!answer.body.includes(wrong), 'the password is not echoed');
    assert.equal(cookieLine(answer, 'portcullis_session'), undefined);
    // The same transaction still works with the right password.
    codeOf(await post(path, formOf(answer, { username: jane.email, password: jane.password }), jar), auth);
  });

  test('brute force: after 10 failures the page answers 429 with Auth0\'s block message, even for the right password', async () => {
    const jar = new CookieJar();
    const auth = authorization('app-one');
    let { page } = await openPage(jar, auth);
    const path = pathOf(`/u/login?state=${inputValue(page.body, 'state')}`);
    const statuses: number[] = [];
    for (let i = 0; i < 12 && statuses.at(-1) !== 429; i++) {
      page = await post(path, formOf(page, { username: bob.email, password: `wrong-${i}` }), jar);
      statuses.push(page.status);
    }
    assert.deepEqual(statuses.slice(0, 9), Array(9).fill(400));
    assert.equal(statuses.at(-1), 429);
    assert.ok(statuses.length <= 11, `blocked after ${statuses.length} attempts`);
    const right = await post(path, formOf(page, { username: bob.email, password: bob.password }), jar);
    assert.equal(right.status, 429);
    assert.match(right.body, /role="alert">Your account has been blocked after multiple consecutive login attempts/);
    assert.equal(inputValue(right.body, 'username'), bob.email);
    assert.equal(cookieLine(right, 'portcullis_session'), undefined);
  });

  test('CSRF: a POST without the token, or with another one, is a 403 page and logs no one in', async () => {
    const jar = new CookieJar();
    const auth = authorization('app-one');
    const { page, path } = await openPage(jar, auth);
    const fields = { username: jane.email, password: jane.password };
    const missing = await post(path, { state: inputValue(page.body, 'state')!, ...fields }, jar);
    assert.equal(missing.status, 403);
    assert.match(missing.body, /role="alert"/);
    const forged = await post(path, { ...formOf(page, fields), _csrf: randomBytes(32).toString('base64url') }, jar);
    assert.equal(forged.status, 403);
    const noCookie = new CookieJar();
    noCookie.store([`portcullis_txn=${jar.get('portcullis_txn')}; Path=/`]);
    assert.equal((await post(path, formOf(page, fields), noCookie)).status, 403, 'the field without its cookie');
    for (const refused of [missing, forged]) assert.equal(cookieLine(refused, 'portcullis_session'), undefined);
    codeOf(await post(path, formOf(page, fields), jar), auth);
  });

  test('SSO: a second application logs in without a prompt, with the same session and auth_time', async () => {
    const jar = new CookieJar();
    const one = authorization('app-one');
    const first = await redeem(codeOf(await login(jar, one), one), one);
    const two = authorization('app-two');
    const answer = await get(two.url, jar);
    const second = await redeem(codeOf(answer, two), two);
    assert.equal(second.sid, first.sid);
    assert.equal(second.auth_time, first.auth_time);
    assert.equal(second.sub, first.sub);
    assert.equal(second.aud, 'app-two');
  });

  test('signup: screen_hint=signup shows the signup page; it creates the user and logs them in', async () => {
    const jar = new CookieJar();
    const auth = authorization('app-one', { screen_hint: 'signup' });
    const { page, path } = await openPage(jar, auth, '/u/signup');
    assert.deepEqual(
      [...page.body.matchAll(/<input\b[^>]*name="([^"]+)"/g)].map((m) => m[1]),
      ['state', '_csrf', 'email', 'password'],
    );
    const email = `new-${randomBytes(6).toString('hex')}@example.com`;
    const weak = await post(path, formOf(page, { email, password: 'short' }), jar);
    assert.equal(weak.status, 400);
    assert.match(weak.body, /At least 8 characters in length <em>\(not met\)<\/em>/);
    assert.equal(inputValue(weak.body, 'email'), email);
    assert.ok(!weak.body.includes('value="short"'));
    const answer = await post(path, formOf(weak, { email, password: 'Brand-New-Pass-7' }), jar);
    const claims = await redeem(codeOf(answer, auth), auth);
    assert.equal(claims.email, email);
    assert.equal(claims.sid, sidOf(jar));
    // The new user logs in with that password from another browser.
    const other = authorization('app-two');
    codeOf(await login(new CookieJar(), other, { email, password: 'Brand-New-Pass-7' }), other);
  });

  test('signup is not offered when the connection disables it: no link, and the page is a 403', async () => {
    const jar = new CookieJar();
    const auth = authorization('closed');
    const { page, path } = await openPage(jar, auth);
    assert.doesNotMatch(page.body, /\/u\/signup/);
    const signup = await get(path.replace('/u/login', '/u/signup'), jar);
    assert.equal(signup.status, 403);
  });

  test('error pages: no state, an unknown one, another browser\'s transaction, no connection for the application', async () => {
    assert.equal((await get('/u/login')).status, 400);
    assert.equal((await get('/u/signup?state=unknown-transaction-id-0000000000000')).status, 400);
    const { path } = await openPage(new CookieJar(), authorization('app-one'));
    const elsewhere = await get(path, new CookieJar());
    assert.equal(elsewhere.status, 400);
    assert.match(elsewhere.body, /role="alert"/);
    const lonely = authorization('lonely');
    const jar = new CookieJar();
    const started = await get(lonely.url, jar);
    assert.equal((await get(pathOf(started.location), jar)).status, 400);
  });

  test('consent for a third-party application: accept → code; deny → access_denied at the callback', async () => {
    const jar = new CookieJar();
    const one = authorization('app-one');
    codeOf(await login(jar, one), one);

    const deny = authorization('partner', { audience, scope: 'openid email read:orders' });
    const { page: denyPage, path: denyPath } = await openPage(jar, deny, '/u/consent');
    assert.match(denyPage.body, /Partner &#38; &#60;Co&#62;/, 'the client name, escaped');
    assert.match(denyPage.body, /Signed in as <strong>jane@example.com<\/strong>/);
    assert.match(denyPage.body, /<h2>Orders API<\/h2>/);
    assert.match(denyPage.body, /<code>read:orders<\/code>/);
    assert.match(denyPage.body, /<button type="submit" name="action" value="accept">Accept<\/button>/);
    assert.match(denyPage.body, /<button type="submit" name="action" value="deny" class="secondary">Decline<\/button>/);
    const denied = await post(denyPath, formOf(denyPage, { action: 'deny' }), jar);
    assert.equal(denied.status, 302);
    const error = new URL(denied.location!);
    assert.equal(`${error.origin}${error.pathname}`, callback('partner'));
    assert.equal(error.searchParams.get('error'), 'access_denied');
    assert.equal(error.searchParams.get('error_description'), 'User did not authorize the request');
    assert.equal(error.searchParams.get('state'), deny.state);

    const accept = authorization('partner', { audience, scope: 'openid email read:orders' });
    const { page, path } = await openPage(jar, accept, '/u/consent');
    const noCsrf = await post(path, { state: inputValue(page.body, 'state')!, action: 'accept' }, jar);
    assert.equal(noCsrf.status, 403);
    const claims = await redeem(codeOf(await post(path, formOf(page, { action: 'accept' }), jar), accept), accept);
    assert.equal(claims.aud, 'partner');
    // Consent given once is remembered: the next request goes straight to the callback.
    const again = authorization('partner', { audience, scope: 'openid email read:orders' });
    codeOf(await get(again.url, jar), again);
  });

  test('a third-party application\'s login goes on to consent with the new session, then to the callback', async () => {
    const jar = new CookieJar();
    const auth = authorization('partner', { scope: 'openid profile' });
    const { page, path } = await openPage(jar, auth);
    const loggedIn = await post(path, formOf(page, { username: jane.email, password: jane.password }), jar);
    assert.equal(loggedIn.status, 302);
    assert.ok(cookieLine(loggedIn, 'portcullis_session'), 'the session cookie comes with the redirect to consent');
    const consentPath = pathOf(loggedIn.location);
    assert.equal(consentPath.split('?')[0], '/u/consent');
    const consent = await get(consentPath, jar);
    assert.equal(consent.status, 200);
    assert.match(consent.body, /<li>Your profile: name, nickname and picture<\/li>/);
    const claims = await redeem(codeOf(await post(consentPath, formOf(consent, { action: 'accept' }), jar), auth), auth);
    assert.equal(claims.sid, sidOf(jar));
  });

  test('consent without a session sends the browser to log in first', async () => {
    const jar = new CookieJar();
    const first = authorization('app-one');
    codeOf(await login(jar, first), first);
    // Scopes no other test consents to, so the consent page is due.
    const auth = authorization('partner', { scope: 'openid address' });
    const { path } = await openPage(jar, auth, '/u/consent');
    jar.delete('portcullis_session');
    const answer = await get(path, jar);
    assert.equal(answer.status, 303);
    assert.equal(pathOf(answer.location), path.replace('/u/consent', '/u/login'));
  });

  test('prompt=login cannot be skipped by opening the consent page instead of the login page: accepting leads to the login', async () => {
    const jar = new CookieJar();
    const first = authorization('app-one');
    codeOf(await login(jar, first), first);
    const auth = authorization('partner', { scope: 'openid phone', prompt: 'login' });
    const { path } = await openPage(jar, auth, '/u/login');
    const consentPath = path.replace('/u/login', '/u/consent');
    const consent = await get(consentPath, jar);
    assert.equal(consent.status, 200, 'the page renders for the live session');
    const answer = await post(consentPath, formOf(consent, { action: 'accept' }), jar);
    assert.equal(answer.status, 302);
    assert.equal(pathOf(answer.location), path, 'to the login page of the same request, no code');
  });

  test('logging in again in one browser: the same user keeps the session (sid) with a new auth_time; another user ends it', async () => {
    const jar = new CookieJar();
    const first = authorization('app-one');
    const before = await redeem(codeOf(await login(jar, first), first), first);
    const sid = sidOf(jar);
    const oldCookie = jar.get('portcullis_session')!;
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // auth_time counts whole seconds
    const again = authorization('app-one', { prompt: 'login' });
    const after = await redeem(codeOf(await login(jar, again), again), again);
    assert.equal(after.sid, sid);
    assert.equal(sidOf(jar), sid, 'the cookie is kept');
    assert.ok(Number(after.auth_time) > Number(before.auth_time), 'a new auth_time');

    const other = authorization('app-one', { prompt: 'login' });
    const anns = await redeem(codeOf(await login(jar, other, ann), other), other);
    assert.notEqual(anns.sid, sid);
    const stale = new CookieJar();
    stale.store([`portcullis_session=${oldCookie}; Path=/`]);
    const silent = authorization('app-one', { prompt: 'none' });
    const answer = await get(silent.url, stale);
    assert.equal(new URL(answer.location!).searchParams.get('error'), 'login_required', 'the previous user\'s session ended');
  });

  test('forgot password: the login page links to a form that mails a reset link, the same answer for anyone', async () => {
    const jar = new CookieJar();
    const { page } = await openPage(jar, authorization('app-one'));
    const link = /<a href="([^"]+)">Forgot your password\?<\/a>/.exec(page.body)?.[1]?.replace(/&#38;/g, '&');
    assert.ok(link);
    const form = await get(link, jar);
    assert.equal(form.status, 200);
    const known = await post(link, formOf(form, { email: jane.email }), jar);
    assert.equal(known.status, 200);
    assert.match(known.body, /Check your email/);
    const unknown = await post(link, formOf(form, { email: 'nobody@example.com' }), jar);
    assert.equal(unknown.status, 200);
    const normalized = (answer: HttpAnswer, email: string) => answer.body.replaceAll(email, 'EMAIL').replace(/nonce="[^"]+"/g, '');
    assert.equal(normalized(unknown, 'nobody@example.com'), normalized(known, jane.email));
    const outbox = (await readFile(join(server.dataDir, 'outbox.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { to: string; link?: string });
    const mails = outbox.filter((m) => m.to === jane.email);
    assert.equal(mails.length, 1);
    assert.match(mails[0]!.link!, /\/u\/reset-password\?ticket=/);
    assert.ok(!outbox.some((m) => m.to === 'nobody@example.com'));
  });

  describe('behind the custom domain\'s TLS proxy', () => {
    const proxy = { 'cname-api-key': cnameKey, 'x-forwarded-proto': 'https', host: customDomain, 'x-forwarded-for': '203.0.113.9' };

    test('cookies are Secure (the session SameSite=None), links and form actions stay relative, the response names the custom domain', async () => {
      const jar = new CookieJar();
      const auth = authorization('app-one');
      const { page, path, started } = await openPage(jar, auth, '/u/login', proxy);
      assert.match(started.location!, /^\/u\/login\?state=/, 'a relative redirect keeps the browser on the custom domain');
      for (const line of [...started.setCookies, ...page.setCookies]) assert.match(line, /; Secure/, line);
      assert.match(cookieLine(page, 'portcullis_csrf')!, /; Path=\/u\/; HttpOnly; SameSite=Lax; Secure/);
      for (const [, url] of page.body.matchAll(/(?:action|href)="([^"]+)"/g)) assert.match(url!, /^\/u\//, `relative: ${url}`);
      const answer = await post(path, formOf(page, { username: jane.email, password: jane.password }), jar, proxy);
      codeOf(answer, auth);
      assert.equal(new URL(answer.location!).searchParams.get('iss'), `https://${customDomain}/`);
      assert.match(cookieLine(answer, 'portcullis_session')!, /; Path=\/; HttpOnly; SameSite=None; Secure; Max-Age=604800$/);
    });

    test('without the proxy key the same headers are not believed: cookies stay for http', async () => {
      const jar = new CookieJar();
      const { page } = await openPage(jar, authorization('app-one'), '/u/login', { ...proxy, 'cname-api-key': 'wrong-key-0123456789abcdef' });
      assert.doesNotMatch(cookieLine(page, 'portcullis_csrf')!, /Secure/);
    });
  });
});
