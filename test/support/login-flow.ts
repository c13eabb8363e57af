import assert from 'node:assert/strict';
import * as client from 'openid-client';
import type { ConsoleMessage, Page, Response } from 'playwright-core';

/**
 * The steps of a browser login shared by the browser tests: discovery for a public client,
 * an authorization request with PKCE S256, state and nonce (openid-client builds it), the
 * hosted pages driven in Chromium by Auth0's form names, and the redirect to the callback.
 * Every wait is on a URL, a selector or a response; a wait that fails says where the
 * browser was and what it showed.
 */
export type Tokens = Awaited<ReturnType<typeof client.authorizationCodeGrant>>;

export function discoverPublicClient(issuer: string, clientId: string): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), clientId, undefined, client.None(), { execute: [client.allowInsecureRequests] });
}

export interface AuthorizationRequest {
  readonly url: URL;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
  readonly redirectUri: string;
}

export async function authorizationRequest(config: client.Configuration, redirectUri: string, params: Record<string, string> = {}): Promise<AuthorizationRequest> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url, verifier, state, nonce, redirectUri };
}

/** Navigates and fails at once (with the page text) if the final answer is not a success. */
export async function openPage(page: Page, url: string | URL): Promise<Response | null> {
  const response = await page.goto(String(url));
  if (response && response.status() >= 400) {
    throw new Error(`${url} answered ${response.status()}: ${(await pageText(page)).slice(0, 400)}`);
  }
  return response;
}

export async function pageText(page: Page): Promise<string> {
  return (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
}

/** Fills the fields named in `fields` (every password field gets `password`, for a confirmation field) and submits. */
export async function submitForm(page: Page, fields: Record<string, string>): Promise<Response | null> {
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'password') {
      for (const input of await page.locator('input[type=password]').all()) await input.fill(value);
    } else {
      await page.locator(`input[name="${name}"]`).fill(value);
    }
  }
  // The navigation request the submit starts (a POST): its answer, redirect or page. A
  // submission the page's own CSP blocks never gets one: fail at once with Chromium's words.
  const from = page.url();
  const errors: string[] = [];
  let blocked: (reason: Error) => void = () => {};
  const csp = new Promise<never>((_, reject) => (blocked = reject));
  csp.catch(() => {}); // it may reject during the click, before the race below listens
  const onConsole = (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    errors.push(message.text());
    if (message.text().includes('Content Security Policy')) blocked(new Error(`submitting the form at ${from} was blocked by Chromium: ${message.text()}`));
  };
  page.on('console', onConsole);
  try {
    const answer = page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().method() === 'POST');
    await page.locator('button[type=submit]').first().click();
    return await Promise.race([answer, csp]);
  } catch (error) {
    if (errors.length === 0 || (error as Error).message.includes('was blocked by Chromium')) throw error;
    throw new Error(`submitting the form at ${from} got no answer (${(error as Error).message}); Chromium said: ${errors.join(' | ')}`);
  } finally {
    page.off('console', onConsole);
  }
}

/** The login page of an authorization request (after /authorize redirected to /u/login). */
export async function openLoginPage(page: Page, request: AuthorizationRequest): Promise<void> {
  await openPage(page, request.url);
  await waitForPath(page, '/u/login');
  await page.locator('input[name=username]').waitFor();
}

export async function waitForPath(page: Page, pathname: string): Promise<URL> {
  try {
    await page.waitForURL((u) => u.pathname === pathname);
  } catch {
    throw new Error(`the browser never reached ${pathname}; it is at ${page.url()} showing: ${(await pageText(page)).slice(0, 400)}`);
  }
  return new URL(page.url());
}

/** Waits until the browser is on the redirect URI and returns that URL (with the response parameters). */
export async function waitForCallback(page: Page, redirectUri: string): Promise<URL> {
  const target = new URL(redirectUri);
  try {
    await page.waitForURL((u) => u.origin === target.origin && u.pathname === target.pathname);
  } catch {
    throw new Error(`the browser never reached ${redirectUri}; it is at ${page.url()} showing: ${(await pageText(page)).slice(0, 400)}`);
  }
  return new URL(page.url());
}

/** Login form → callback, returning the callback URL. */
export async function logInThroughForm(page: Page, request: AuthorizationRequest, username: string, password: string): Promise<URL> {
  await openLoginPage(page, request);
  await submitForm(page, { username, password });
  return waitForCallback(page, request.redirectUri);
}

/** The code exchange, with every check openid-client makes (state, iss, nonce, ID-token signature, PKCE). */
export function redeem(config: client.Configuration, request: AuthorizationRequest, callback: URL): Promise<Tokens> {
  return client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
  });
}

/** The whole authorization code flow with a login on the hosted page. */
export async function browserLogin(page: Page, config: client.Configuration, redirectUri: string, user: { username: string; password: string }, params: Record<string, string> = {}): Promise<{ tokens: Tokens; callback: URL; request: AuthorizationRequest }> {
  const request = await authorizationRequest(config, redirectUri, params);
  const callback = await logInThroughForm(page, request, user.username, user.password);
  return { tokens: await redeem(config, request, callback), callback, request };
}

/** What the server answered when openid-client refused, whichever error class it chose. */
export async function refusal(promise: Promise<unknown>): Promise<{ status: number; error: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof client.ResponseBodyError) return { status: error.status, error: error.error };
    throw error;
  }
  assert.fail('expected the server to refuse');
}

/**
 * Every visible form field has an accessible label (a <label>, aria-label or
 * aria-labelledby): the accessibility requirement, checked in the real DOM.
 */
export async function unlabelledFields(page: Page): Promise<string[]> {
  return page.evaluate(`(() => Array.from(document.querySelectorAll('input, select, textarea'))
    .filter((el) => el.type !== 'hidden' && el.type !== 'submit' && el.type !== 'button')
    .filter((el) => !(el.labels && el.labels.length > 0 && Array.from(el.labels).some((l) => l.textContent.trim() !== ''))
      && !(el.getAttribute('aria-label') || '').trim() && !el.getAttribute('aria-labelledby'))
    .map((el) => el.name || el.id || el.outerHTML))()`) as Promise<string[]>;
}

/** Unverified JWT payload, for reading claims the library already verified. */
export function jwtClaims(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1];
  assert.ok(payload, 'not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
