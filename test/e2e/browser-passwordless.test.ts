import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type * as client from 'openid-client';
import { browserSkipReason, latestLinkFor, readOutbox, useBrowser } from '../support/browser.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';
import { authorizationRequest, discoverPublicClient, openPage, redeem, submitForm, unlabelledFields, waitForCallback, waitForPath } from '../support/login-flow.ts';
import { startStaticApp, type StaticApp } from '../support/static-app.ts';

/**
 * Passwordless logins in headless Chromium, the relying party being openid-client (code +
 * PKCE): a magic link (POST /passwordless/start with send=link and authParams, the link
 * opened from the outbox, GET /passwordless/verify_redirect landing on the redirect_uri with
 * a code that redeems), and the hosted code login through /u/login-passwordless — reached
 * from the login page's link and from /authorize?connection=sms. Reference §2.1, §7.
 */
const skip = browserSkipReason(import.meta.filename);
const browserTest = (name: string, fn: () => Promise<void>) => test(name, { skip, timeout: 90_000 }, fn);
const otpGrant = 'http://auth0.com/oauth/grant-type/passwordless/otp';

describe('browser passwordless: magic link and hosted code login in Chromium', () => {
  const browser = useBrowser(skip);
  let server: LocalServer;
  let app: StaticApp;
  let native: client.Configuration;
  let mixed: client.Configuration;
  const callback = () => `${app.origin}/callback`;

  before(async () => {
    if (skip) return;
    app = await startStaticApp();
    const client = (client_id: string) => ({
      name: client_id,
      client_id,
      app_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', otpGrant],
      callbacks: [`${app.origin}/callback`],
      allowed_origins: [app.origin],
      web_origins: [app.origin],
    });
    server = await startLocalServer({
      tenant: {
        tenant: { friendly_name: 'Browser Passwordless' },
        attackProtection: { suspiciousIpThrottling: { enabled: true, allowlist: ['127.0.0.1'] } },
        // pwl-only has passwordless connections only; pwl-mixed has a database connection too.
        clients: [client('pwl-only'), client('pwl-mixed')],
        connections: [
          { name: 'email', strategy: 'email', enabled_clients: ['pwl-only', 'pwl-mixed'], options: {} },
          { name: 'sms', strategy: 'sms', enabled_clients: ['pwl-mixed'], options: {} },
          { name: 'Username-Password-Authentication', strategy: 'auth0', enabled_clients: ['pwl-mixed'] },
        ],
      },
    });
    native = await discoverPublicClient(server.issuer, 'pwl-only');
    mixed = await discoverPublicClient(server.issuer, 'pwl-mixed');
  });
  after(async () => {
    await server?.stop();
    await app?.stop();
  });

  const codeFor = async (to: string): Promise<string> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = (await readOutbox(server.dataDir)).filter((m) => m.to === to && typeof m.code === 'string').at(-1);
      if (found?.code) return found.code;
      if (Date.now() > deadline) throw new Error(`no code for ${to} in the outbox`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  browserTest('magic link: send=link with authParams, the link opened in the browser lands on the redirect_uri with a code that redeems; the link works once', async () => {
    const email = `link-${randomUUID()}@example.com`;
    const request = await authorizationRequest(native, callback());
    const q = request.url.searchParams;
    const authParams = Object.fromEntries(['redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method'].map((k) => [k, q.get(k)!]));
    const res = await fetch(`${server.baseUrl}/passwordless/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'pwl-only', connection: 'email', email, send: 'link', authParams }),
    });
    assert.equal(res.status, 200, await res.text());
    const { link } = await latestLinkFor(server.dataDir, email);
    assert.equal(new URL(link).pathname, '/passwordless/verify_redirect');

    await browser.withPage(async (page) => {
      await page.goto(link);
      const returned = await waitForCallback(page, callback());
      assert.equal(returned.searchParams.get('state'), request.state);
      const tokens = await redeem(native, request, returned);
      const claims = tokens.claims()!;
      assert.match(claims.sub, /^email\|[0-9a-f]{24}$/);
      assert.equal(claims.email, email);
      assert.equal(claims.email_verified, true);
      assert.equal(claims.nonce, request.nonce);

      await page.goto(link);
      const again = await waitForCallback(page, callback());
      assert.equal(again.searchParams.get('error'), 'access_denied', 'a used link goes back to the application');
      assert.equal(again.searchParams.get('error_description'), 'Wrong email or verification code.');
      assert.equal(again.searchParams.get('code'), null);
    });
  });

  browserTest('hosted code login: a client with only passwordless connections goes straight to /u/login-passwordless; email, then the code', async () => {
    const email = `page-${randomUUID()}@example.com`;
    await browser.withPage(async (page) => {
      const request = await authorizationRequest(native, callback());
      await openPage(page, request.url);
      await waitForPath(page, '/u/login-passwordless');
      assert.deepEqual(await unlabelledFields(page), []);
      await submitForm(page, { email });
      await page.locator('input[name=code]').waitFor();
      assert.deepEqual(await unlabelledFields(page), []);
      const code = await codeFor(email);
      await submitForm(page, { code: code === '000000' ? '111111' : '000000' });
      await page.locator('[role=alert]').waitFor();
      assert.match(await page.locator('[role=alert]').innerText(), /Wrong email or verification code/);
      await submitForm(page, { code });
      const returned = await waitForCallback(page, callback());
      const tokens = await redeem(native, request, returned);
      assert.equal(tokens.claims()!.email, email);
      assert.match(tokens.claims()!.sub, /^email\|/);
    });
  });

  browserTest('the login page links to the code login; /authorize?connection=sms goes to the SMS code login', async () => {
    const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    await browser.withPage(async (page) => {
      const first = await authorizationRequest(mixed, callback());
      await openPage(page, first.url);
      await waitForPath(page, '/u/login');
      await page.getByRole('link', { name: 'Log in with a code by email' }).click();
      await waitForPath(page, '/u/login-passwordless');
      await page.locator('input[name=email]').waitFor();

      const request = await authorizationRequest(mixed, callback(), { connection: 'sms' });
      await openPage(page, request.url);
      const at = await waitForPath(page, '/u/login-passwordless');
      assert.equal(at.searchParams.get('connection'), 'sms');
      await submitForm(page, { phone_number: phone });
      await page.locator('input[name=code]').waitFor();
      await submitForm(page, { code: await codeFor(phone) });
      const tokens = await redeem(mixed, request, await waitForCallback(page, callback()));
      assert.match(tokens.claims()!.sub, /^sms\|/);
    });
  });
});
