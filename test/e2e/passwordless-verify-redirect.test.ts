import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { latestLinkFor } from '../support/browser.ts';
import { CookieJar, send, type HttpAnswer } from '../support/http-browser.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * GET /passwordless/verify_redirect over raw HTTP (reference §7.2): a magic link is an
 * /authorize request and is held to /authorize's rules. An unregistered redirect_uri is an
 * error page (never a redirect); a link edited to name another client is refused (the code is
 * bound to the client it was sent for); a public client's link without PKCE is refused as
 * /authorize refuses it (and its code is not spent); a wrong code goes back to the
 * application as access_denied with its state.
 */
const otpGrant = 'http://auth0.com/oauth/grant-type/passwordless/otp';
const appCallback = 'https://app.vr.test/cb';
const otherCallback = 'https://other.vr.test/cb';
const tenant = {
  tenant: {
    friendly_name: 'Verify Redirect',
    rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 }, passwordless_start: { burst: 100_000, per_second: 1000 }, email: { burst: 100_000, per_second: 1000 } },
  },
  attackProtection: { suspiciousIpThrottling: { enabled: true, allowlist: ['127.0.0.1'] } },
  clients: [
    { name: 'App', client_id: 'vr-app', app_type: 'native', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', otpGrant], callbacks: [appCallback] },
    { name: 'Other', client_id: 'vr-other', app_type: 'native', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', otpGrant], callbacks: [otherCallback] },
  ],
  connections: [{ name: 'email', strategy: 'email', enabled_clients: ['vr-app', 'vr-other'], options: {} }],
};

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' };
};

describe('GET /passwordless/verify_redirect', () => {
  let server: LocalServer;
  before(async () => {
    server = await startLocalServer({ tenant });
  });
  after(() => server?.stop());

  /** Sends a magic link for `email` with these authParams and returns it, as a URL on the local server. */
  async function magicLink(email: string, authParams: Record<string, string>, clientId = 'vr-app'): Promise<URL> {
    const res = await fetch(`${server.baseUrl}/passwordless/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: clientId, connection: 'email', email, send: 'link', authParams }),
    });
    assert.equal(res.status, 200, await res.text());
    const { link } = await latestLinkFor(server.dataDir, email);
    const url = new URL(link);
    return new URL(`${url.pathname}${url.search}`, server.baseUrl);
  }
  const open = (url: URL, jar = new CookieJar()): Promise<HttpAnswer> => send(server.baseUrl, `${url.pathname}${url.search}`, { jar });
  const edited = (url: URL, changes: Record<string, string | undefined>) => {
    const copy = new URL(url);
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) copy.searchParams.delete(name);
      else copy.searchParams.set(name, value);
    }
    return copy;
  };
  const callbackOf = (answer: HttpAnswer, callback: string) => {
    assert.equal(answer.status, 302, answer.body.slice(0, 300));
    assert.ok(answer.location?.startsWith(`${callback}?`), `to ${callback}: ${answer.location}`);
    return new URL(String(answer.location)).searchParams;
  };
  const email = () => `vr-${randomUUID()}@example.com`;
  const codeRequest = (state: string) => ({ redirect_uri: appCallback, response_type: 'code', scope: 'openid', state, ...pkce() });

  test('the untouched link logs in: a code at the callback with the state', async () => {
    const params = callbackOf(await open(await magicLink(email(), codeRequest('s-ok'))), appCallback);
    assert.match(String(params.get('code')), /.+/);
    assert.equal(params.get('state'), 's-ok');
  });

  test('an unregistered redirect_uri is an HTML error page, never a redirect, and the code is not spent', async () => {
    const link = await magicLink(email(), codeRequest('s-evil'));
    const answer = await open(edited(link, { redirect_uri: 'https://evil.test/cb' }));
    assert.equal(answer.status, 400, answer.body.slice(0, 300));
    assert.equal(answer.location, undefined);
    assert.match(String(answer.headers['content-type']), /^text\/html/);
    assert.doesNotMatch(answer.body, /(href|action|url)=["']?https:\/\/evil\.test/i, 'the page names the URL at most, never links to it');
    assert.match(String(callbackOf(await open(link), appCallback).get('code')), /.+/, 'the real link still works');
  });

  test('another client’s link (client_id and redirect_uri swapped) is refused: access_denied, no code', async () => {
    const address = email();
    const link = await magicLink(address, codeRequest('s-swap'));
    const params = callbackOf(await open(edited(link, { client_id: 'vr-other', redirect_uri: otherCallback })), otherCallback);
    assert.equal(params.get('error'), 'access_denied');
    assert.equal(params.get('error_description'), 'Wrong email or verification code.');
    assert.equal(params.get('code'), null);
    assert.equal(params.get('state'), 's-swap');
  });

  test('a public client’s link without PKCE is refused as /authorize refuses it, and its code is not spent', async () => {
    const address = email();
    const link = await magicLink(address, codeRequest('s-pkce'));
    const params = callbackOf(await open(edited(link, { code_challenge: undefined, code_challenge_method: undefined })), appCallback);
    assert.equal(params.get('error'), 'invalid_request');
    assert.match(String(params.get('error_description')), /code_challenge/);
    assert.equal(params.get('code'), null);
    // The same without PKCE from /authorize itself: the same refusal.
    const authorize = await send(server.baseUrl, `/authorize?${new URLSearchParams({ client_id: 'vr-app', redirect_uri: appCallback, response_type: 'code', scope: 'openid', state: 's' })}`, { jar: new CookieJar() });
    assert.equal(callbackOf(authorize, appCallback).get('error'), params.get('error'));
    assert.match(String(callbackOf(await open(link), appCallback).get('code')), /.+/, 'the code was not spent');
  });

  test('a wrong code goes back to the application as access_denied with its state', async () => {
    const link = await magicLink(email(), codeRequest('s-wrong'));
    const code = String(link.searchParams.get('verification_code'));
    const wrong = String((Number(code) + 1) % 10 ** code.length).padStart(code.length, '0');
    const params = callbackOf(await open(edited(link, { verification_code: wrong })), appCallback);
    assert.equal(params.get('error'), 'access_denied');
    assert.equal(params.get('error_description'), 'Wrong email or verification code.');
    assert.equal(params.get('state'), 's-wrong');
    assert.equal(params.get('code'), null);
  });
});
