import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { browserSkipReason, latestLinkFor, useBrowser } from '../support/browser.ts';
import { audience, browserTenant, connection } from '../support/browser-tenant.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';
import {
  authorizationRequest,
  browserLogin,
  discoverPublicClient,
  jwtClaims,
  openLoginPage,
  openPage,
  redeem,
  refusal,
  submitForm,
  unlabelledFields,
  waitForCallback,
  waitForPath,
} from '../support/login-flow.ts';
import { startStaticApp, type StaticApp } from '../support/static-app.ts';

/**
 * A person logging in in headless Chromium, the relying party being openid-client v6 (a
 * certified RP library): authorization code + PKCE S256 against the hosted login page,
 * refresh-token rotation with reuse detection, /userinfo, RP-initiated logout, SSO across
 * two applications, signup, password reset from the emailed link, the login page refusing
 * to be framed, and a login with JavaScript turned off. Reference §2.1, §3.2, §3.5, §4.5, §5.2, §6.
 */
const skip = browserSkipReason(import.meta.filename);
/** Skipped, with the reason, when there is no browser; 90 s at most each (a hang fails). */
const browserTest = (name: string, fn: () => Promise<void>) => test(name, { skip, timeout: 90_000 }, fn);

describe('browser login: openid-client code flow with the hosted pages in Chromium', () => {
  const browser = useBrowser(skip);
  let server: LocalServer;
  let app: StaticApp;
  let first: client.Configuration;
  let second: client.Configuration;
  const alice = { email: 'alice@browser.test', password: 'Alice-Passw0rd-2024!' };
  const bob = { email: 'bob@browser.test', password: 'Bob-Old-Passw0rd-2024!' };
  const login = { username: alice.email, password: alice.password };
  const callback = () => `${app.origin}/callback`;
  const callback2 = () => `${app.origin}/callback2`;

  before(async () => {
    if (skip) return;
    app = await startStaticApp();
    server = await startLocalServer({
      tenant: browserTenant(
        [
          { client_id: 'browser-app', callbacks: [callback()], origins: [app.origin], logoutUrls: [`${app.origin}/logged-out`] },
          { client_id: 'browser-app-2', callbacks: [callback2()], origins: [app.origin] },
        ],
        [alice, bob],
      ),
    });
    first = await discoverPublicClient(server.issuer, 'browser-app');
    second = await discoverPublicClient(server.issuer, 'browser-app-2');
  });
  after(async () => {
    await server?.stop();
    await app?.stop();
  });

  browserTest('code + PKCE: the login form, an RFC 9207 iss, a verified ID token; the code is single-use', async () => {
    await browser.withPage(async (page) => {
      const request = await authorizationRequest(first, callback(), { audience });
      await openLoginPage(page, request);
      assert.deepEqual(await unlabelledFields(page), [], 'every field of the login page has a label');
      await submitForm(page, login);
      const returned = await waitForCallback(page, callback());
      assert.equal(returned.searchParams.get('state'), request.state);
      assert.equal(returned.searchParams.get('iss'), server.issuer, 'RFC 9207 iss in the authorization response');
      const tokens = await redeem(first, request, returned);
      const claims = tokens.claims();
      assert.ok(claims);
      assert.match(claims.sub, /^auth0\|/);
      assert.equal(claims.aud, 'browser-app');
      assert.equal(claims.email, alice.email);
      assert.equal(claims.nonce, request.nonce);
      assert.equal(typeof claims.auth_time, 'number');
      assert.ok(tokens.refresh_token, 'offline_access with an API that allows it: a refresh token');
      const access = jwtClaims(tokens.access_token);
      assert.ok([access.aud].flat().includes(audience) && [access.aud].flat().includes(`${server.issuer}userinfo`), `aud ${JSON.stringify(access.aud)}`);
      assert.deepEqual(await refusal(redeem(first, request, returned)), { status: 403, error: 'invalid_grant' }, 'a replayed code');
    });
  });

  browserTest('refresh rotation: a new refresh token each time; reusing the old one revokes the whole family', async () => {
    await browser.withPage(async (page) => {
      const { tokens } = await browserLogin(page, first, callback(), login, { audience });
      const original = tokens.refresh_token!;
      const rotated = await client.refreshTokenGrant(first, original);
      assert.ok(rotated.refresh_token, 'rotation: a new refresh token');
      assert.notEqual(rotated.refresh_token, original);
      assert.equal(rotated.claims()?.nonce, undefined, 'an ID token from a refresh carries no nonce');
      assert.deepEqual(await refusal(client.refreshTokenGrant(first, original)), { status: 403, error: 'invalid_grant' }, 'the rotated-out token');
      assert.deepEqual(await refusal(client.refreshTokenGrant(first, rotated.refresh_token)), { status: 403, error: 'invalid_grant' }, 'the newest token of the revoked family');
    });
  });

  browserTest('/userinfo answers the logged-in user for the access token', async () => {
    await browser.withPage(async (page) => {
      const { tokens } = await browserLogin(page, first, callback(), login, { audience });
      const sub = tokens.claims()!.sub;
      const info = await client.fetchUserInfo(first, tokens.access_token, sub);
      assert.equal(info.sub, sub);
      assert.equal(info.email, alice.email);
      assert.equal(info.email_verified, true);
    });
  });

  browserTest('RP-initiated logout ends the session: prompt=none then answers login_required', async () => {
    await browser.withPage(async (page) => {
      const { tokens } = await browserLogin(page, first, callback(), login);
      const silent = await authorizationRequest(first, callback(), { prompt: 'none' });
      await page.goto(silent.url.href);
      const live = await waitForCallback(page, callback());
      assert.ok(live.searchParams.get('code'), `with a session, prompt=none answers a code (got ${live.search})`);

      const state = client.randomState();
      const endSession = client.buildEndSessionUrl(first, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${app.origin}/logged-out`, state });
      await page.goto(endSession.href);
      const loggedOut = await waitForCallback(page, `${app.origin}/logged-out`);
      assert.equal(loggedOut.searchParams.get('state'), state, 'state echoed to post_logout_redirect_uri');

      const after = await authorizationRequest(first, callback(), { prompt: 'none' });
      await page.goto(after.url.href);
      const answer = await waitForCallback(page, callback());
      assert.equal(answer.searchParams.get('error'), 'login_required', answer.search);
      assert.equal(answer.searchParams.get('state'), after.state);
      assert.equal(answer.searchParams.get('code'), null);
    });
  });

  browserTest('SSO: a second application logs in without a login form, with the same auth_time and sid', async () => {
    await browser.withPage(async (page) => {
      const { tokens } = await browserLogin(page, first, callback(), login);
      const visited: string[] = [];
      page.on('framenavigated', (frame) => frame === page.mainFrame() && visited.push(frame.url()));
      const request = await authorizationRequest(second, callback2());
      await page.goto(request.url.href);
      const returned = await waitForCallback(page, callback2());
      assert.deepEqual(visited.filter((u) => new URL(u).pathname.startsWith('/u/')), [], 'no hosted page shown');
      const again = await redeem(second, request, returned);
      assert.equal(again.claims()?.aud, 'browser-app-2');
      assert.equal(again.claims()?.sub, tokens.claims()?.sub);
      assert.equal(again.claims()?.auth_time, tokens.claims()?.auth_time, 'auth_time stays the session’s');
      assert.ok(tokens.claims()?.sid, 'the ID token names its session');
      assert.equal(again.claims()?.sid, tokens.claims()?.sid);
    });
  });

  browserTest('signup in the browser (screen_hint=signup), then the code flow completes for the new user', async () => {
    const carol = { email: 'carol@browser.test', password: 'Carol-Passw0rd-2024!' };
    await browser.withPage(async (page) => {
      const request = await authorizationRequest(first, callback(), { screen_hint: 'signup' });
      await openPage(page, request.url);
      await waitForPath(page, '/u/signup');
      await page.locator('input[name=email]').waitFor();
      assert.deepEqual(await unlabelledFields(page), [], 'every field of the signup page has a label');
      await submitForm(page, carol);
      const tokens = await redeem(first, request, await waitForCallback(page, callback()));
      assert.equal(tokens.claims()?.email, carol.email);
      assert.match(tokens.claims()!.sub, /^auth0\|/);
    });
  });

  browserTest('password reset: the emailed link opens a page that sets a new password; the old one stops working', async () => {
    const newPassword = 'Bob-New-Passw0rd-2025!';
    const answer = await fetch(`${server.baseUrl}/dbconnections/change_password`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: 'browser-app', email: bob.email, connection }),
    });
    assert.equal(answer.status, 200, await answer.clone().text());
    const mail = await latestLinkFor(server.dataDir, bob.email);
    await browser.withPage(async (page) => {
      await openPage(page, mail.link);
      await page.locator('input[name=password]').waitFor();
      assert.deepEqual(await unlabelledFields(page), [], 'every field of the reset page has a label');
      const set = await submitForm(page, { password: newPassword });
      assert.ok(set && set.status() < 400, `the new password is accepted (${set?.status()})`);
    });
    await browser.withPage(async (page) => {
      const request = await authorizationRequest(first, callback());
      await openLoginPage(page, request);
      const refused = await submitForm(page, { username: bob.email, password: bob.password });
      const location = refused?.headers().location ?? '';
      assert.ok(refused && !location.startsWith(callback()), `the old password no longer logs in (${refused?.status()} ${location})`);
      await waitForPath(page, '/u/login');
      await page.locator('input[name=password]').waitFor();
      const { tokens } = await browserLogin(page, first, callback(), { username: bob.email, password: newPassword });
      assert.equal(tokens.claims()?.email, bob.email);
    });
  });

  browserTest('clickjacking: the login page refuses to be framed (a control form on the same page frames fine)', async () => {
    await browser.withPage(async (page) => {
      const request = await authorizationRequest(first, callback());
      await openLoginPage(page, request);
      const loginUrl = page.url();
      // Framed from http://localhost:<app port>: same-site with the server, so cookies would flow.
      const framing = async (src: string) => {
        await page.goto(`http://localhost:${app.port}/frame?src=${encodeURIComponent(src)}`);
        await page.waitForFunction('window.frameLoaded === true');
        const frame = await (await page.$('#target'))!.contentFrame();
        assert.ok(frame);
        return { url: frame.url(), passwordFields: await frame.locator('input[name=password]').count() };
      };
      assert.deepEqual(await framing(`http://localhost:${app.port}/form`), { url: `http://localhost:${app.port}/form`, passwordFields: 1 }, 'control');
      const framed = await framing(loginUrl);
      assert.equal(framed.passwordFields, 0, 'the login form must not render inside a frame');
      assert.match(framed.url, /^chrome-error:/, `Chromium blocked the frame (frame at ${framed.url})`);
    });
  });

  browserTest('no JavaScript: the forms post and the code comes back in the query', async () => {
    await browser.withPage(
      async (page) => {
        await page.goto(`${app.origin}/js-probe`);
        assert.equal(await page.title(), 'no script ran', 'JavaScript is really off');
        const { tokens, callback: returned } = await browserLogin(page, first, callback(), login);
        assert.ok(returned.searchParams.get('code'));
        assert.equal(tokens.claims()?.email, alice.email);
      },
      { javaScriptEnabled: false },
    );
  });
});
