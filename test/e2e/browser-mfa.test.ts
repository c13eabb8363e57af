import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import * as client from 'openid-client';
import { totpCode, totpStep } from '../../shared/mfa/totp.ts';
import { browserSkipReason, readOutbox, useBrowser } from '../support/browser.ts';
import { browserTenant } from '../support/browser-tenant.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';
import {
  authorizationRequest,
  discoverPublicClient,
  openLoginPage,
  pageText,
  redeem,
  submitForm,
  unlabelledFields,
  waitForCallback,
  waitForPath,
  type AuthorizationRequest,
} from '../support/login-flow.ts';
import { startStaticApp, type StaticApp } from '../support/static-app.ts';

/**
 * The hosted login with MFA on (tenant file: `guardianPolicies: {policies: [all-applications]}`,
 * `guardianFactors` otp, sms and recovery-code), a person in headless Chromium, openid-client
 * as the application: a password login goes on to enrolment; the person reads the TOTP secret
 * off the page (as they would type it into an app), answers with a code computed by RFC 6238,
 * is shown a recovery code once, and lands on the application with a code whose ID token says
 * `amr: ["mfa"]`. A new browser then logs in again and passes a TOTP challenge (with another
 * step's code: the enrolment's is spent), and another uses the recovery code and gets a new
 * one. An SMS enrolment reads its code from the local outbox, and so does the SMS challenge after it.
 */
const skip = browserSkipReason(import.meta.filename);
const browserTest = (name: string, fn: () => Promise<void>) => test(name, { skip, timeout: 120_000 }, fn);

describe('browser MFA: enrolment and challenge on the hosted pages in Chromium', () => {
  const browser = useBrowser(skip);
  let server: LocalServer;
  let app: StaticApp;
  let rp: client.Configuration;
  const alice = { email: 'alice@mfa-browser.test', password: 'Alice-Passw0rd-2024!' };
  const bob = { email: 'bob@mfa-browser.test', password: 'Bob-Passw0rd-2024!' };
  const callback = () => `${app.origin}/callback`;
  /** What alice's enrolment left: her TOTP secret, the step last used, her recovery code. */
  const aliceState: { secret?: string; lastStep?: number; recoveryCode?: string } = {};

  before(async () => {
    if (skip) return;
    app = await startStaticApp();
    server = await startLocalServer({
      tenant: {
        ...browserTenant([{ client_id: 'mfa-app', callbacks: [callback()], origins: [app.origin] }], [alice, bob]),
        guardianPolicies: { policies: ['all-applications'] },
        guardianFactors: [
          { name: 'otp', enabled: true },
          { name: 'sms', enabled: true },
          { name: 'recovery-code', enabled: true },
        ],
      },
    });
    rp = await discoverPublicClient(server.issuer, 'mfa-app');
  });
  after(async () => {
    await server?.stop();
    await app?.stop();
  });

  /** /authorize → the login form → the password; the browser is then on an MFA page. */
  async function passwordStep(page: Page, who: { email: string; password: string }, path: string): Promise<AuthorizationRequest> {
    const request = await authorizationRequest(rp, callback());
    await openLoginPage(page, request);
    await submitForm(page, { username: who.email, password: who.password });
    await waitForPath(page, path);
    return request;
  }

  /** Clicks a specific submit button and waits for the answer of its POST. */
  async function press(page: Page, selector: string): Promise<void> {
    const answer = page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().method() === 'POST');
    await page.locator(selector).click();
    await answer;
  }

  /** The recovery-code screen: the code shown once, then Continue to the application. */
  async function recoveryCodeShown(page: Page): Promise<string> {
    const shown = page.locator('#recovery-code');
    await shown.waitFor();
    const code = await shown.getAttribute('data-code');
    assert.ok(code && /^[A-Z0-9]{24}$/.test(code), `a 24-character recovery code (got ${code})`);
    assert.equal((await shown.innerText()).replace(/\s/g, ''), code, 'the shown text is the code');
    await press(page, 'button[value=continue]');
    return code;
  }

  async function assertMfaTokens(page: Page, request: AuthorizationRequest): Promise<void> {
    const returned = await waitForCallback(page, callback());
    const tokens = await redeem(rp, request, returned);
    const claims = tokens.claims();
    assert.ok(claims);
    assert.deepEqual(claims.amr, ['mfa'], 'the ID token says a second factor passed');
    assert.equal(claims.nonce, request.nonce);
  }

  browserTest('first login: enrol an authenticator app from the page, see the recovery code once, land with amr ["mfa"]', async () => {
    await browser.withPage(async (page) => {
      const request = await passwordStep(page, alice, '/u/mfa-enrollment');
      assert.deepEqual(await unlabelledFields(page), [], 'every field of the factor choice has a label');
      // Two factors to enrol: the page offers the app first.
      await press(page, 'button[value=choose]');
      const secretElement = page.locator('#totp-secret');
      await secretElement.waitFor();
      const secret = await secretElement.getAttribute('data-secret');
      assert.ok(secret && /^[A-Z2-7]{32}$/.test(secret), `a base32 secret (got ${secret})`);
      assert.equal((await secretElement.innerText()).replace(/\s/g, ''), secret, 'the secret as text, for entry by hand');
      const qr = await page.locator('img[src^="data:image/svg+xml"]').getAttribute('src');
      assert.ok(qr, 'the QR code as an SVG data URI');
      assert.deepEqual(await unlabelledFields(page), [], 'every field of the TOTP enrolment has a label');

      // A wrong code first: the form again, with the error, and nothing enrolled.
      await submitForm(page, { code: '000000' === totpCode(secret, totpStep(Date.now())) ? '111111' : '000000' });
      assert.match(await pageText(page), /not right/);
      assert.ok(await page.locator('#totp-secret').isVisible(), 'the same setup stays on the page');

      const step = totpStep(Date.now());
      await submitForm(page, { code: totpCode(secret, step) });
      aliceState.recoveryCode = await recoveryCodeShown(page);
      aliceState.secret = secret;
      aliceState.lastStep = step;
      await assertMfaTokens(page, request);
    });
  });

  browserTest('a new browser logs in again and passes the TOTP challenge (another step: the enrolment code is spent)', async () => {
    assert.ok(aliceState.secret, 'the enrolment test ran first');
    await browser.withPage(async (page) => {
      const request = await passwordStep(page, alice, '/u/mfa-challenge');
      assert.deepEqual(await unlabelledFields(page), [], 'every field of the challenge has a label');
      // The step the enrolment used is refused as a replay; the next one is inside the ±1 window.
      await submitForm(page, { code: totpCode(aliceState.secret!, aliceState.lastStep!) });
      assert.match(await pageText(page), /not right, or was used already/);
      const next = Math.max(aliceState.lastStep! + 1, totpStep(Date.now()));
      await submitForm(page, { code: totpCode(aliceState.secret!, next) });
      aliceState.lastStep = next;
      await assertMfaTokens(page, request);
    });
  });

  browserTest('a recovery code answers the challenge once, and a new one is shown', async () => {
    assert.ok(aliceState.recoveryCode, 'the enrolment test ran first');
    await browser.withPage(async (page) => {
      const request = await passwordStep(page, alice, '/u/mfa-challenge');
      await press(page, 'button:has-text("Use a recovery code")');
      await page.locator('input[name=code]').waitFor();
      await submitForm(page, { code: aliceState.recoveryCode!.toLowerCase().replace(/(.{4})/g, '$1-') });
      const fresh = await recoveryCodeShown(page);
      assert.notEqual(fresh, aliceState.recoveryCode);
      await assertMfaTokens(page, request);
    });
    await browser.withPage(async (page) => {
      await passwordStep(page, alice, '/u/mfa-challenge');
      await press(page, 'button:has-text("Use a recovery code")');
      await submitForm(page, { code: aliceState.recoveryCode! });
      assert.match(await pageText(page), /recovery code is not right/, 'a used recovery code is refused');
    });
  });

  browserTest('SMS enrolment (the phone number, then the code from the outbox), then an SMS challenge at the next login', async () => {
    await browser.withPage(async (page) => {
      const request = await passwordStep(page, bob, '/u/mfa-enrollment');
      await press(page, 'button[value=sms]');
      await page.locator('input[name=phone_number]').waitFor();
      assert.deepEqual(await unlabelledFields(page), [], 'the phone field has a label');
      const phone = '+15550100042';
      await submitForm(page, { phone_number: '+1 555 010 0042' });
      await page.locator('input[name=code]').waitFor();
      assert.match(await pageText(page), /••••0042/);
      const sms = (await readOutbox(server.dataDir)).filter((m) => m.to === phone && typeof m.code === 'string').at(-1);
      assert.ok(sms?.code, `an SMS with a code to ${phone} in the outbox`);
      await submitForm(page, { code: sms.code });
      await recoveryCodeShown(page);
      await assertMfaTokens(page, request);
    });
    // The next login: the challenge sends a new code to that phone; the spent one no longer works.
    await browser.withPage(async (page) => {
      const request = await passwordStep(page, bob, '/u/mfa-challenge');
      const before = (await readOutbox(server.dataDir)).length;
      await press(page, 'button[value=send]');
      await page.locator('input[name=code]').waitFor();
      const sms = (await readOutbox(server.dataDir)).slice(before).filter((m) => m.to === '+15550100042' && typeof m.code === 'string').at(-1);
      assert.ok(sms?.code, 'a new SMS with a code');
      const wrong = sms.code === '000000' ? '111111' : '000000';
      await submitForm(page, { code: wrong });
      assert.match(await pageText(page), /not right/);
      await submitForm(page, { code: sms.code });
      await assertMfaTokens(page, request);
    });
  });
});
