import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkipReason, useBrowser } from '../support/browser.ts';
import { audience, browserTenant } from '../support/browser-tenant.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';
import { submitForm, waitForCallback, waitForPath } from '../support/login-flow.ts';
import { startStaticApp, type StaticApp } from '../support/static-app.ts';

/**
 * Auth0's own browser SDK, auth0-spa-js, unchanged, in a page served locally and run in
 * headless Chromium: loginWithRedirect to the hosted login page, handleRedirectCallback
 * (the SDK's own PKCE, state, nonce and ID-token checks), getUser, getTokenSilently through
 * rotating refresh tokens over CORS, and logout. A second origin, neither an allowed origin
 * nor a callback's origin (Auth0 lets those through CORS too), cannot call the token endpoint.
 */
const skip = browserSkipReason(import.meta.filename);
/** Skipped, with the reason, when there is no browser; 90 s at most each (a hang fails). */
const browserTest = (name: string, fn: () => Promise<void>) => test(name, { skip, timeout: 90_000 }, fn);

type Settled<T> = { ok: true; value: T } | { ok: false; error?: string; message: string };

/** Calls `window.app.<call>` in the page (a string: the page has no TypeScript helpers). */
const spa = <T>(page: Page, call: string) => page.evaluate(`window.app.${call}`) as Promise<Settled<T>>;

function value<T>(settled: Settled<T>, what: string): T {
  if (!settled.ok) assert.fail(`${what} failed: ${settled.error ?? ''} ${settled.message}`);
  return settled.value;
}

describe('auth0-spa-js in Chromium against the local server', () => {
  const browser = useBrowser(skip);
  let server: LocalServer;
  let app: StaticApp;
  let stranger: StaticApp;
  const alice = { email: 'spa-alice@browser.test', password: 'Spa-Alice-Passw0rd-2024!' };

  before(async () => {
    if (skip) return;
    app = await startStaticApp();
    stranger = await startStaticApp();
    const redirectUri = `${app.origin}/spa`;
    server = await startLocalServer({
      tenant: browserTenant([{ client_id: 'spa-app', callbacks: [redirectUri], origins: [app.origin], logoutUrls: [redirectUri] }], [alice]),
    });
    // auth0-spa-js keeps a domain that starts with http:// and expects iss = `${domain}/`.
    const spaConfig = { domain: server.issuer.replace(/\/$/, ''), clientId: 'spa-app', audience, redirectUri };
    app.configureSpa(spaConfig);
    stranger.configureSpa({ ...spaConfig, redirectUri: `${stranger.origin}/spa` });
  });
  after(async () => {
    await server?.stop();
    await app?.stop();
    await stranger?.stop();
  });

  async function openSpa(page: Page, origin: string): Promise<void> {
    await page.goto(`${origin}/spa`);
    await page.waitForFunction('window.app !== undefined');
  }

  /** loginWithRedirect, the hosted login page, back to the app, handleRedirectCallback. */
  async function logIn(page: Page): Promise<void> {
    await openSpa(page, app.origin);
    await page.evaluate('void window.app.login()');
    await waitForPath(page, '/u/login');
    await submitForm(page, { username: alice.email, password: alice.password });
    const returned = await waitForCallback(page, `${app.origin}/spa`);
    assert.ok(returned.searchParams.get('code'), `a code comes back (${returned.search})`);
    await page.waitForFunction('window.app !== undefined');
    value(await spa(page, 'handleRedirectCallback()'), 'handleRedirectCallback');
  }

  browserTest('loginWithRedirect → login page → handleRedirectCallback; getUser has the email', async () => {
    await browser.withPage(async (page) => {
      await logIn(page);
      const user = value(await spa<{ email?: string; sub?: string }>(page, 'getUser()'), 'getUser');
      assert.equal(user.email, alice.email);
      assert.match(user.sub ?? '', /^auth0\|/);
      const claims = value(await spa<{ iss?: string; aud?: string }>(page, 'getIdTokenClaims()'), 'getIdTokenClaims');
      assert.equal(claims.iss, server.issuer);
      assert.equal(claims.aud, 'spa-app');
    });
  });

  browserTest('getTokenSilently({ cacheMode: off }) refreshes over CORS with rotating refresh tokens', async () => {
    await browser.withPage(async (page) => {
      await logIn(page);
      const tokenUrl = `${server.issuer}oauth/token`;
      const refreshes: { body: URLSearchParams; allowOrigin: string | undefined; status: number; answer: Promise<{ access_token?: string }> }[] = [];
      page.on('response', (response) => {
        const request = response.request();
        if (request.url() !== tokenUrl || request.method() !== 'POST') return;
        const body = new URLSearchParams(request.postData() ?? '');
        if (body.get('grant_type') !== 'refresh_token') return;
        refreshes.push({ body, allowOrigin: response.headers()['access-control-allow-origin'], status: response.status(), answer: response.json() as Promise<{ access_token?: string }> });
      });
      const cached = value(await spa<string>(page, 'getTokenSilently()'), 'getTokenSilently from the cache');
      assert.equal(refreshes.length, 0, 'a cached access token needs no request');
      const first = value(await spa<string>(page, 'getTokenSilently({ cacheMode: "off" })'), 'first refresh');
      const second = value(await spa<string>(page, 'getTokenSilently({ cacheMode: "off" })'), 'second refresh');
      assert.equal(refreshes.length, 2, 'each getTokenSilently with cacheMode off is one refresh_token grant');
      assert.ok(cached);
      // Two tokens minted in the same second can be byte-identical: compare with what each refresh answered.
      assert.equal(first, (await refreshes[0]!.answer).access_token, 'the first refresh’s access token');
      assert.equal(second, (await refreshes[1]!.answer).access_token, 'the second refresh’s access token');
      for (const r of refreshes) {
        assert.equal(r.status, 200);
        assert.equal(r.allowOrigin, app.origin, 'CORS allows the app origin');
        assert.equal(r.body.get('client_id'), 'spa-app');
      }
      assert.notEqual(refreshes[1]!.body.get('refresh_token'), refreshes[0]!.body.get('refresh_token'), 'the SDK got and used a rotated refresh token');
      const claims = JSON.parse(Buffer.from(second.split('.')[1]!, 'base64url').toString()) as { aud: string | string[] };
      assert.ok([claims.aud].flat().includes(audience), 'the refreshed token is for the API');
    });
  });

  browserTest('an origin outside allowed_origins and web_origins cannot call the token endpoint', async () => {
    await browser.withPage(async (page) => {
      await logIn(page);
      // The stranger gets the app's whole SDK cache (its refresh token included): only CORS stops it.
      const cache = await page.evaluate(`JSON.stringify(Object.entries(localStorage).filter(([k]) => k.startsWith('@@auth0spajs@@')))`);
      assert.notEqual(cache, '[]', 'the SDK cached its tokens in localStorage');
      const failures: string[] = [];
      page.on('requestfailed', (request) => request.url().startsWith(`${server.issuer}oauth/token`) && failures.push(`${request.method()} ${request.failure()?.errorText}`));
      await openSpa(page, stranger.origin);
      await page.evaluate(`for (const [k, v] of ${cache}) localStorage.setItem(k, v)`);
      const refused = await spa<string>(page, 'getTokenSilently({ cacheMode: "off" })');
      assert.equal(refused.ok, false, 'the token call from a foreign origin must fail');
      assert.match(refused.ok ? '' : refused.message, /fetch/i, 'it fails in the browser’s CORS check (not for a missing refresh token)');
      assert.ok(failures.length > 0, 'Chromium blocked the token request');
    });
  });

  browserTest('logout through /v2/logout ends the session: the next loginWithRedirect shows the login form', async () => {
    await browser.withPage(async (page) => {
      await logIn(page);
      const logout = page.waitForRequest((r) => r.url().startsWith(`${server.issuer}v2/logout`));
      await page.evaluate(`void window.app.logout(${JSON.stringify(`${app.origin}/spa`)})`);
      assert.equal(new URL((await logout).url()).searchParams.get('client_id'), 'spa-app');
      await waitForCallback(page, `${app.origin}/spa`);
      await page.waitForFunction('window.app !== undefined');
      assert.equal(value(await spa(page, 'getUser()'), 'getUser after logout'), null, 'the SDK forgot the user');
      await page.evaluate('void window.app.login()');
      await waitForPath(page, '/u/login');
      await page.locator('input[name=password]').waitFor();
    });
  });
});
