import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { totpCode, totpStep } from '../../shared/mfa/totp.ts';
import { CookieJar, inputValue, send, type HttpAnswer } from '../support/http-browser.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * The hosted MFA pages over raw HTTP with a cookie jar (reference §2.1, §8): a password login
 * with MFA on goes to enrolment (no factor) or the challenge (a factor), never straight to the
 * application; a wrong code is the form again with its error (400); a TOTP code once used is
 * refused; a form without its CSRF token is refused (403) and changes nothing; a page without
 * a pending first factor is an error page, not a 5xx; too many wrong codes are 429; malformed
 * forms (fast-check) never get a 5xx. The success path ends with a code whose ID token says
 * `amr: ["mfa"]`.
 */
const origin = 'https://app.mfa-pages.test';
const callback = `${origin}/callback`;
const secret = 'web-secret-0123456789-abcdefghij';
const connection = 'Users';
const users = ['carol', 'dave', 'erin', 'frank', 'grace'].map((name) => ({ email: `${name}@mfa-pages.test`, password: `${name}-Passw0rd-2024!` }));
/** Users for the enrolment race (each ends enrolled or not, so one per round). */
const racers = [0, 1, 2, 3, 4, 5].map((n) => ({ email: `racer${n}@mfa-pages.test`, password: `racer${n}-Passw0rd-2024!` }));
const [carol, dave, erin, frank, grace] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0], (typeof users)[0], (typeof users)[0]];

const tenant = {
  tenant: { friendly_name: 'MFA Pages Co', rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 } } },
  clients: [
    {
      name: 'Web',
      client_id: 'web',
      app_type: 'regular_web',
      client_secret: secret,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      callbacks: [callback],
    },
  ],
  connections: [{ name: connection, strategy: 'auth0', enabled_clients: ['Web'] }],
  users: [...users, ...racers].map((u) => ({ connection, email: u.email, password: u.password, email_verified: true })),
  guardianPolicies: { policies: ['all-applications'] },
  guardianFactors: [
    { name: 'otp', enabled: true },
    { name: 'recovery-code', enabled: true },
  ],
};

describe('hosted MFA pages (local server, raw HTTP)', () => {
  let server: LocalServer;
  const get = (path: string, jar: CookieJar) => send(server.baseUrl, path, { jar });
  const pathOf = (location: string | undefined) => {
    assert.ok(location, 'a Location header');
    const url = new URL(location, server.baseUrl);
    return url.pathname + url.search;
  };

  before(async () => {
    server = await startLocalServer({ tenant });
  });
  after(() => server?.stop());

  /** /authorize → /u/login → the password: the answer of the login POST. */
  async function passwordLogin(jar: CookieJar, who: { email: string; password: string }): Promise<{ answer: HttpAnswer; state: string }> {
    const started = await get(`/authorize?${new URLSearchParams({ client_id: 'web', redirect_uri: callback, response_type: 'code', scope: 'openid email', state: 'st', nonce: 'n-1' })}`, jar);
    assert.equal(started.status, 302, started.body);
    const loginPath = pathOf(started.location);
    const state = new URL(loginPath, server.baseUrl).searchParams.get('state')!;
    const page = await get(loginPath, jar);
    const answer = await send(server.baseUrl, loginPath, { jar, form: { state, _csrf: inputValue(page.body, '_csrf')!, username: who.email, password: who.password } });
    return { answer, state };
  }

  /** Posts a form of an MFA page with its state and the CSRF token of the page last shown. */
  function post(jar: CookieJar, path: string, state: string, shown: HttpAnswer, fields: Record<string, string>) {
    return send(server.baseUrl, `${path}?state=${encodeURIComponent(state)}`, { jar, form: { state, _csrf: inputValue(shown.body, '_csrf') ?? '', ...fields } });
  }

  /** Logs `who` in and enrols an authenticator app; returns the secret and the step its code used. */
  async function enrol(who: { email: string; password: string }): Promise<{ secret: string; step: number; jar: CookieJar; answer: HttpAnswer }> {
    const jar = new CookieJar();
    const { answer: login, state } = await passwordLogin(jar, who);
    assert.equal(login.status, 303, login.body);
    assert.equal(pathOf(login.location), `/u/mfa-enrollment?state=${encodeURIComponent(state)}`);
    const shown = await get(pathOf(login.location), jar);
    assert.equal(shown.status, 200, shown.body);
    const totpSecret = /data-secret="([A-Z2-7]+)"/.exec(shown.body)?.[1];
    assert.ok(totpSecret, 'the TOTP secret on the page');
    const step = totpStep(Date.now());
    const answer = await post(jar, '/u/mfa-enrollment', state, shown, { action: 'verify-otp', authenticator_id: inputValue(shown.body, 'authenticator_id')!, code: totpCode(totpSecret, step) });
    return { secret: totpSecret, step, jar, answer };
  }

  async function idTokenOf(answer: HttpAnswer): Promise<Record<string, unknown>> {
    assert.equal(answer.status, 302, answer.body);
    assert.ok(answer.location?.startsWith(callback), answer.location);
    const code = new URL(answer.location!).searchParams.get('code');
    assert.ok(code, answer.location);
    const response = await fetch(`${server.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback, client_id: 'web', client_secret: secret }),
    });
    const body = (await response.json()) as { id_token?: string };
    assert.equal(response.status, 200, JSON.stringify(body));
    return decodeJwt(body.id_token!);
  }

  test('enrolment: a wrong code is the form again (400, with its error); the right one shows the recovery code once, then Continue answers with amr ["mfa"]', async () => {
    const jar = new CookieJar();
    const { answer: login, state } = await passwordLogin(jar, carol);
    assert.equal(login.status, 303, login.body);
    assert.equal(jar.get('portcullis_session'), undefined, 'no session before the second factor');
    const shown = await get(pathOf(login.location), jar);
    const totpSecret = /data-secret="([A-Z2-7]+)"/.exec(shown.body)![1]!;
    assert.match(shown.body, /<img src="data:image\/svg\+xml[^"]*"/, 'the QR code as an SVG data URI');
    const authenticatorId = inputValue(shown.body, 'authenticator_id')!;

    const now = totpCode(totpSecret, totpStep(Date.now()));
    const wrong = await post(jar, '/u/mfa-enrollment', state, shown, { action: 'verify-otp', authenticator_id: authenticatorId, code: now === '123456' ? '654321' : '123456' });
    assert.equal(wrong.status, 400, wrong.body);
    assert.match(wrong.body, /role="alert"[^>]*>That code is not right/);
    assert.equal(inputValue(wrong.body, 'authenticator_id'), authenticatorId, 'the same setup');

    const right = await post(jar, '/u/mfa-enrollment', state, wrong, { action: 'verify-otp', authenticator_id: authenticatorId, code: totpCode(totpSecret, totpStep(Date.now())) });
    assert.equal(right.status, 200, right.body);
    assert.match(right.body, /id="recovery-code" data-code="[A-Z0-9]{24}"/);
    assert.ok(jar.get('portcullis_session'), 'the session is made with the second factor');
    const done = await post(jar, '/u/mfa-enrollment', state, right, { action: 'continue' });
    const claims = await idTokenOf(done);
    assert.deepEqual(claims.amr, ['mfa']);
    assert.equal(claims.email, carol.email);

    // SSO: the session (with mfa) answers the next request without any page.
    const again = await get(`/authorize?${new URLSearchParams({ client_id: 'web', redirect_uri: callback, response_type: 'code', scope: 'openid', state: 'st2', nonce: 'n-2' })}`, jar);
    assert.deepEqual((await idTokenOf(again)).amr, ['mfa'], 'an SSO answer keeps the session’s amr');
  });

  test('challenge: the enrolment’s TOTP code is refused as reused (400), the next step’s code passes', async () => {
    const enrolled = await enrol(dave);
    assert.equal(enrolled.answer.status, 200, 'the recovery code page');
    const jar = new CookieJar();
    const { answer: login, state } = await passwordLogin(jar, dave);
    assert.equal(pathOf(login.location), `/u/mfa-challenge?state=${encodeURIComponent(state)}`);
    const shown = await get(pathOf(login.location), jar);
    assert.equal(shown.status, 200, shown.body);
    assert.match(shown.body, /name="code"/);

    const reused = await post(jar, '/u/mfa-challenge', state, shown, { action: 'verify-otp', code: totpCode(enrolled.secret, enrolled.step) });
    assert.equal(reused.status, 400, reused.body);
    assert.match(reused.body, /role="alert"/);
    const next = Math.max(enrolled.step + 1, totpStep(Date.now()));
    const passed = await post(jar, '/u/mfa-challenge', state, reused, { action: 'verify-otp', code: totpCode(enrolled.secret, next) });
    assert.deepEqual((await idTokenOf(passed)).amr, ['mfa']);
    const replay = await post(jar, '/u/mfa-challenge', state, reused, { action: 'verify-otp', code: totpCode(enrolled.secret, next) });
    assert.equal(replay.status, 400, 'the transaction is used up: an error page');
    assert.doesNotMatch(replay.body, /code=/);
  });

  test('a form without its CSRF token is refused (403) and changes nothing', async () => {
    const jar = new CookieJar();
    const { answer: login, state } = await passwordLogin(jar, erin);
    const shown = await get(pathOf(login.location), jar);
    const totpSecret = /data-secret="([A-Z2-7]+)"/.exec(shown.body)![1]!;
    const fields = { state, action: 'verify-otp', authenticator_id: inputValue(shown.body, 'authenticator_id')!, code: totpCode(totpSecret, totpStep(Date.now())) };
    const forged = await send(server.baseUrl, `/u/mfa-enrollment?state=${encodeURIComponent(state)}`, { jar, form: fields });
    assert.equal(forged.status, 403, forged.body);
    assert.equal(jar.get('portcullis_session'), undefined);
    const wrongToken = await send(server.baseUrl, `/u/mfa-enrollment?state=${encodeURIComponent(state)}`, { jar, form: { ...fields, _csrf: 'A'.repeat(43) } });
    assert.equal(wrongToken.status, 403, wrongToken.body);
    // The setup is still pending: the real form with the same code enrols.
    const real = await post(jar, '/u/mfa-enrollment', state, shown, { action: 'verify-otp', authenticator_id: fields.authenticator_id, code: fields.code });
    assert.equal(real.status, 200, real.body);
    assert.match(real.body, /id="recovery-code"/);
  });

  test('pages without a pending first factor, or another browser’s, are error pages (4xx), never a 5xx', async () => {
    const jar = new CookieJar();
    const started = await get(`/authorize?${new URLSearchParams({ client_id: 'web', redirect_uri: callback, response_type: 'code', scope: 'openid', state: 'st', nonce: 'n' })}`, jar);
    const state = new URL(started.location!, server.baseUrl).searchParams.get('state')!;
    for (const path of ['/u/mfa-enrollment', '/u/mfa-challenge']) {
      const none = await get(`${path}?state=${encodeURIComponent(state)}`, jar);
      assert.equal(none.status, 400, none.body);
      assert.match(none.body, /no login waiting for a second factor/);
      const missing = await get(path, jar);
      assert.equal(missing.status, 400, missing.body);
    }
    // A login pending in one browser is nothing in another (the transaction's binder cookie).
    const { answer: login } = await passwordLogin(jar, frank);
    const elsewhere = await get(pathOf(login.location), new CookieJar());
    assert.equal(elsewhere.status, 400, elsewhere.body);
    assert.doesNotMatch(elsewhere.body, /data-secret/);
  });

  test('too many wrong codes: 429 with the message on the form', async () => {
    await enrol(grace);
    const jar = new CookieJar();
    const { answer: login, state } = await passwordLogin(jar, grace);
    let shown = await get(pathOf(login.location), jar);
    let last: HttpAnswer | undefined;
    for (let i = 0; i < 12 && last?.status !== 429; i++) {
      last = await post(jar, '/u/mfa-challenge', state, shown, { action: 'verify-otp', code: '00000' + (i % 10) });
      assert.ok(last.status === 400 || last.status === 429, `${last.status}: ${last.body.slice(0, 200)}`);
      shown = last;
    }
    assert.equal(last?.status, 429, 'the MFA failure bucket ran out');
    assert.match(last!.body, /role="alert"/);
  });

  test('a right enrolment code whose setup was replaced meanwhile (another tab) never finishes without an active factor', async () => {
    for (const who of racers) {
      const jar = new CookieJar();
      const { answer: login, state } = await passwordLogin(jar, who);
      const shown = await get(pathOf(login.location), jar);
      const totpSecret = /data-secret="([A-Z2-7]+)"/.exec(shown.body)![1]!;
      const code = totpCode(totpSecret, totpStep(Date.now()));
      // The code for setup A, while "another tab" starts setup B, which deletes A (abandoned).
      const [verified, replaced] = await Promise.all([
        post(jar, '/u/mfa-enrollment', state, shown, { action: 'verify-otp', authenticator_id: inputValue(shown.body, 'authenticator_id')!, code }),
        post(jar, '/u/mfa-enrollment', state, shown, { action: 'choose', factor: 'otp' }),
      ]);
      assert.ok(verified.status < 500 && replaced.status < 500, `${verified.status} ${replaced.status}`);
      if (/id="recovery-code"/.test(verified.body)) {
        // It finished: the user must really have a factor, so a new login is challenged, not enrolled.
        const again = await passwordLogin(new CookieJar(), who);
        assert.equal(pathOf(again.answer.location), `/u/mfa-challenge?state=${encodeURIComponent(again.state)}`, `${who.email} finished enrolment without an active factor`);
      } else {
        assert.match(verified.body, /This setup has expired|role="alert"/, verified.body.slice(0, 300));
      }
    }
  });

  test('property: malformed MFA forms never get a 5xx', async () => {
    const jar = new CookieJar();
    const { answer: login, state } = await passwordLogin(jar, frank);
    const first = await get(pathOf(login.location), jar);
    const csrf = inputValue(first.body, '_csrf')!;
    const value = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('', '123456', 'totp|dev_AAAAAAAAAAAAAAAA', 'verify-otp', 'verify-oob', 'verify-recovery', 'send', 'switch', 'choose', 'send-sms', '+15550100000', 'otp', 'sms', 'email'));
    const fieldName = fc.constantFrom('action', 'code', 'authenticator_id', 'oob_code', 'phone_number', 'factor', 'state', '__proto__', 'constructor');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/u/mfa-enrollment', '/u/mfa-challenge'), fc.dictionary(fieldName, value, { maxKeys: 6 }), fc.boolean(), async (path, fields, withCsrf) => {
        const answer = await send(server.baseUrl, `${path}?state=${encodeURIComponent(state)}`, { jar, form: { ...fields, ...(withCsrf ? { _csrf: csrf } : {}) } });
        assert.ok(answer.status < 500, `${path} ${JSON.stringify(fields)} → ${answer.status}: ${answer.body.slice(0, 300)}`);
      }),
      { numRuns: 60 },
    );
  });
});
