import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { consentForm } from '../../../../functions/authorize/pages/consent-form.ts';
import { pageFailure } from '../../../../functions/authorize/pages/failure.ts';
import { forgotPasswordForm } from '../../../../functions/authorize/pages/forgot-password.ts';
import { field, submittedForm, type PageContext } from '../../../../functions/authorize/pages/forms.ts';
import { loginForm } from '../../../../functions/authorize/pages/login-form.ts';
import { passwordRules } from '../../../../functions/authorize/pages/password-rules.ts';
import { signupForm } from '../../../../functions/authorize/pages/signup-form.ts';
import type { AuthorizationTransaction } from '../../../../functions/authorize/transaction.ts';
import { databaseConnection } from '../../../../shared/connections/database.ts';
import { OAuthError } from '../../../../shared/errors.ts';
import { csrfCookieName } from '../../../../shared/html/csrf.ts';
import type { ApiResult } from '../../../../shared/http/types.ts';
import type { ClientRecord, TenantConfig } from '../../../../shared/tenant/model.ts';
import { checkPassword, passwordStrengthError } from '../../../../shared/users/password-policy.ts';
import { apiEvent } from '../../../support/events.ts';

const evil = '<script>alert(1)</script>';
const client = { client_id: 'app-1', name: `Shop ${evil}` } as ClientRecord;
const tenant = {
  settings: { friendly_name: 'Acme', mtls: { enable_endpoint_aliases: false }, rate_limits: {}, extra: {} },
  clients: new Map([[client.client_id, client]]),
  resourceServers: new Map([['https://api.test/', { identifier: 'https://api.test/', name: `Orders ${evil}` }]]),
  clientGrants: new Map(),
  connections: new Map(),
  customDomains: new Map(),
} as unknown as TenantConfig;
const transaction: AuthorizationTransaction = {
  id: 'txn-123',
  client_id: client.client_id,
  redirect_uri: 'https://app.test/callback',
  response_type: 'code',
  response_mode: 'query',
  scope: ['openid', 'profile', 'read:orders', 'constructor'],
  audience: 'https://api.test/',
  prompt: [],
  login_hint: `"><script>alert(2)</script>`,
  created_at: 1_800_000_000,
};
const connection = (options: Record<string, unknown> = {}) => databaseConnection({ name: 'Users', strategy: 'auth0', enabled_clients: [client.client_id], options });

function pageWith(event = apiEvent({ headers: {} }), secure = false): PageContext {
  return {
    request: { event, tenant, context: { issuer: secure ? 'https://auth.test/' : 'http://localhost:3000/', clientIp: '198.51.100.7', customDomain: undefined, certificate: undefined } },
    transaction,
    client,
    state: transaction.id,
    tenantName: 'Acme',
    secure,
  };
}

/** Every form control of a page: tag, attributes. */
function controls(body: string): { tag: string; attrs: Map<string, string> }[] {
  return [...body.matchAll(/<(input|button|select|textarea)\b([^>]*)>/g)].map(([, tag, rest]) => ({
    tag: tag!,
    attrs: new Map([...rest!.matchAll(/([a-z-]+)(?:="([^"]*)")?/g)].map(([, k, v]) => [k!, v ?? ''])),
  }));
}
const cookiesOf = (result: ApiResult) => (result.multiValueHeaders?.['Set-Cookie'] ?? []).map(String);

function assertAccessible(result: ApiResult): void {
  const body = result.body;
  for (const { tag, attrs } of controls(body)) {
    if (tag !== 'input' || attrs.get('type') === 'hidden') continue;
    const id = attrs.get('id');
    assert.ok(id, `input ${attrs.get('name')} has an id`);
    assert.ok(body.includes(`<label for="${id}">`), `input ${id} has a <label for>`);
    assert.ok(attrs.get('autocomplete'), `input ${id} has autocomplete`);
  }
  assert.ok(controls(body).some((c) => c.tag === 'button' && c.attrs.get('type') === 'submit'), 'a submit button');
  assert.match(body, /<html lang="en">/);
}

function assertHardened(result: ApiResult): void {
  assert.equal(result.headers?.['X-Frame-Options'], 'DENY');
  assert.match(String(result.headers?.['Content-Security-Policy']), /frame-ancestors 'none'/);
  assert.match(String(result.headers?.['Content-Security-Policy']), /form-action 'self'/);
  assert.equal(result.headers?.['Cache-Control'], 'no-store');
}

/** The hidden `_csrf` field equals the cookie set with the page. */
function assertCsrf(result: ApiResult): void {
  const cookie = cookiesOf(result).find((c) => c.startsWith(`${csrfCookieName}=`));
  assert.ok(cookie, 'the page sets the CSRF cookie');
  const value = cookie.split(';')[0]!.split('=')[1];
  const hidden = controls(result.body).find((c) => c.attrs.get('name') === '_csrf');
  assert.equal(hidden?.attrs.get('value'), value);
  assert.equal(hidden?.attrs.get('type'), 'hidden');
}

describe('hosted pages: rendering', () => {
  test('login: Auth0 field names, labels, autocomplete, state, CSRF, headers, no script from the client name or login_hint', () => {
    const result = loginForm(pageWith(), connection(), { username: transaction.login_hint });
    assert.equal(result.statusCode, 200);
    const names = controls(result.body).map((c) => c.attrs.get('name'));
    assert.deepEqual(names, ['state', '_csrf', 'username', 'password', undefined]);
    assert.match(result.body, /<label for="field-username">Email address or username<\/label>/);
    const byName = new Map(controls(result.body).map((c) => [c.attrs.get('name'), c.attrs]));
    assert.equal(byName.get('username')?.get('autocomplete'), 'username');
    assert.equal(byName.get('password')?.get('autocomplete'), 'current-password');
    assert.equal(byName.get('password')?.get('type'), 'password');
    assert.equal(byName.get('state')?.get('value'), 'txn-123');
    assert.match(result.body, /<form method="post" action="\/u\/login\?state=txn-123">/);
    assert.match(result.body, /<button type="submit">Continue<\/button>/);
    assert.match(result.body, /<a href="\/u\/signup\?state=txn-123">Sign up<\/a>/);
    assert.match(result.body, /<a href="\/u\/login\?state=txn-123&#38;screen=forgot-password">Forgot your password\?<\/a>/);
    assert.match(result.body, /Acme/);
    // Escaped, never markup: only our own tags remain.
    assert.doesNotMatch(result.body, /<script/);
    assert.ok(result.body.includes('Shop &#60;script&#62;alert(1)&#60;/script&#62;'));
    assert.equal(byName.get('username')?.get('value'), '&#34;&#62;&#60;script&#62;alert(2)&#60;/script&#62;');
    assertAccessible(result);
    assertHardened(result);
    assertCsrf(result);
  });

  test('login: a failure shows role="alert", keeps the username, marks the fields invalid; no signup link when signups are disabled', () => {
    const result = loginForm(pageWith(), connection({ disable_signup: true }), { username: 'jane', error: 'Wrong email or password.', status: 400 });
    assert.equal(result.statusCode, 400);
    assert.match(result.body, /<div class="error" id="form-error" role="alert">Wrong email or password.<\/div>/);
    const byName = new Map(controls(result.body).map((c) => [c.attrs.get('name'), c.attrs]));
    assert.equal(byName.get('username')?.get('value'), 'jane');
    assert.equal(byName.get('password')?.get('aria-invalid'), 'true');
    assert.equal(byName.get('password')?.get('aria-describedby'), 'form-error');
    assert.equal(byName.get('password')?.has('value'), false);
    assert.doesNotMatch(result.body, /\/u\/signup/);
  });

  test('a password field never carries a value back', () => {
    const html = field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', value: 'hunter2' }).value;
    assert.doesNotMatch(html, /hunter2/);
    assert.doesNotMatch(html, /value=/);
  });

  test('signup: email, password (new-password) and username only when the connection requires it', () => {
    const plain = signupForm(pageWith(), connection(), { email: 'a@b.test' });
    assert.deepEqual(controls(plain.body).map((c) => c.attrs.get('name')), ['state', '_csrf', 'email', 'password', undefined]);
    const withUsername = signupForm(pageWith(), connection({ requires_username: true }), {});
    assert.deepEqual(controls(withUsername.body).map((c) => c.attrs.get('name')), ['state', '_csrf', 'email', 'username', 'password', undefined]);
    const byName = new Map(controls(withUsername.body).map((c) => [c.attrs.get('name'), c.attrs]));
    assert.equal(byName.get('email')?.get('type'), 'email');
    assert.equal(byName.get('email')?.get('autocomplete'), 'email');
    assert.equal(byName.get('username')?.get('autocomplete'), 'username');
    assert.equal(byName.get('password')?.get('autocomplete'), 'new-password');
    assert.match(plain.body, /<form method="post" action="\/u\/signup\?state=txn-123">/);
    assert.match(plain.body, /<a href="\/u\/login\?state=txn-123">Log in<\/a>/);
    for (const result of [plain, withUsername]) {
      assertAccessible(result);
      assertHardened(result);
      assertCsrf(result);
    }
  });

  test('signup: a PasswordStrengthError lists the rules, met or not', () => {
    const error = passwordStrengthError(checkPassword('abc', 'good'));
    const rules = passwordRules(error.body);
    assert.ok(rules);
    const result = signupForm(pageWith(), connection(), { email: 'a@b.test', error: rules, status: 400 });
    assert.equal(result.statusCode, 400);
    assert.match(result.body, /role="alert"><p>Your password is too weak/);
    assert.match(result.body, /<li>At least 8 characters in length <em>\(not met\)<\/em>/);
    assert.match(result.body, /<li>Contain at least 3 of the following 4 types of characters: <em>\(not met\)<\/em><ul>/);
    assert.match(result.body, /<li>lower case letters \(a-z\) <em>\(met\)<\/em><\/li>/);
    assert.doesNotMatch(result.body, /value="abc"/);
    assert.equal(passwordRules({ name: 'BadRequestError', code: 'invalid_signup' }), undefined);
  });

  test('consent: scopes in words, API scopes under the API name, Auth0\'s accept/deny buttons, everything escaped', () => {
    const result = consentForm(pageWith(), { account: `jane${evil}@example.com` });
    assert.equal(result.statusCode, 200);
    const buttons = controls(result.body).filter((c) => c.tag === 'button');
    assert.deepEqual(
      buttons.map((b) => [b.attrs.get('type'), b.attrs.get('name'), b.attrs.get('value')]),
      [['submit', 'action', 'accept'], ['submit', 'action', 'deny']],
    );
    assert.match(result.body, />Accept<\/button>/);
    assert.match(result.body, />Decline<\/button>/);
    assert.match(result.body, /<li>Your profile: name, nickname and picture<\/li>/);
    assert.match(result.body, /<h2>Orders &#60;script&#62;alert\(1\)&#60;\/script&#62;<\/h2><ul class="scopes"><li><code>read:orders<\/code><\/li><li><code>constructor<\/code><\/li><\/ul>/);
    assert.match(result.body, /<form method="post" action="\/u\/consent\?state=txn-123">/);
    assert.doesNotMatch(result.body, /<script/);
    assertAccessible(result);
    assertHardened(result);
    assertCsrf(result);
  });

  test('forgot password: one email field posting to the forgot-password screen of the transaction', () => {
    const result = forgotPasswordForm(pageWith(), { email: `x${evil}@example.com`, error: 'Enter your email address.', status: 400 });
    assert.equal(result.statusCode, 400);
    assert.deepEqual(controls(result.body).map((c) => c.attrs.get('name')), ['state', '_csrf', 'email', undefined]);
    assert.match(result.body, /<form method="post" action="\/u\/login\?state=txn-123&#38;screen=forgot-password">/);
    assert.match(result.body, /role="alert">Enter your email address.</);
    assert.doesNotMatch(result.body, /<script/);
    assertAccessible(result);
    assertHardened(result);
    assertCsrf(result);
  });

  test('on https the CSRF cookie is Secure', () => {
    const result = loginForm(pageWith(apiEvent(), true), connection(), {});
    assert.ok(cookiesOf(result).some((c) => c.startsWith(`${csrfCookieName}=`) && c.endsWith('; Secure')));
  });
});

describe('hosted pages: form submission', () => {
  const post = (body: string, cookie?: string) =>
    ({ ...apiEvent({ body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) } }), httpMethod: 'POST' }) as ReturnType<typeof apiEvent>;
  const token = 'c'.repeat(43);

  test('a form with the CSRF token of its cookie is read', () => {
    const params = submittedForm(pageWith(post(`state=txn-123&_csrf=${token}&username=jane`, `${csrfCookieName}=${token}`)));
    assert.equal(params.username, 'jane');
  });

  for (const [name, body, cookie] of [
    ['no token at all', 'state=txn-123&username=jane', undefined],
    ['a field without the cookie', `state=txn-123&_csrf=${token}&username=jane`, undefined],
    ['a cookie without the field', 'state=txn-123&username=jane', `${csrfCookieName}=${token}`],
    ['a field that differs from the cookie', `state=txn-123&_csrf=${'d'.repeat(43)}`, `${csrfCookieName}=${token}`],
  ] as const) {
    test(`403 for ${name}`, () => {
      assert.throws(() => submittedForm(pageWith(post(body, cookie)))
        , (e: unknown) => e instanceof OAuthError && e.statusCode === 403);
    });
  }

  test('a hidden state naming another transaction is refused', () => {
    assert.throws(
      () => submittedForm(pageWith(post(`state=other&_csrf=${token}`, `${csrfCookieName}=${token}`))),
      (e: unknown) => e instanceof OAuthError && e.statusCode === 400,
    );
  });

  test('failures: a wrong password is a 400 on the page, blocks keep 429 (with Retry-After) and 401, our faults stay ours', () => {
    assert.deepEqual(pageFailure(new OAuthError(403, 'invalid_grant', 'Wrong email or password.')), { status: 400, error: 'Wrong email or password.', headers: {} });
    assert.deepEqual(pageFailure(new OAuthError(429, 'too_many_attempts', 'Blocked.', { headers: { 'Retry-After': '60' } })), {
      status: 429,
      error: 'Blocked.',
      headers: { 'Retry-After': '60' },
    });
    assert.equal(pageFailure(new OAuthError(401, 'unauthorized', 'user is blocked')).status, 401);
    assert.throws(() => pageFailure(new OAuthError(500, 'server_error', 'Internal error')));
  });
});
