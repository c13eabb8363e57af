import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newAuthenticatorId, putAuthenticator } from '../../shared/store/authenticators.ts';
import { findUserByEmail } from '../../shared/store/users.ts';
import { form, formHeaders, jsonOf, rawRequest } from '../support/http-client.ts';
import { CookieJar, inputValue, send } from '../support/http-browser.ts';
import { startMfaServer, type MfaServer } from '../support/mfa-server.ts';

/**
 * One rule for a user whose only confirmed factor is of a kind the tenant has since disabled
 * (shared/mfa/enrolled.ts): still enrolled, so nobody with only the password may enrol a new
 * factor and pass MFA as them — not through /mfa/associate ("User is already enrolled."), not
 * through the hosted enrolment page; mfa_requirements says `challenge` (with nothing left),
 * /mfa/challenge has nothing to challenge, and the hosted challenge page says so (as Auth0:
 * "No confirmed authenticators for the enabled factors").
 */
const realmGrant = 'http://auth0.com/oauth/grant-type/password-realm';
const connection = 'Users';
const secret = 'disabled-factor-secret-0123456789abc';
const callback = 'https://app.disabled-factor.test/callback';
const user = { email: 'sms-only@disabled-factor.test', password: 'Sms-Only-Passw0rd!' };
const fresh = { email: 'fresh@disabled-factor.test', password: 'Fresh-Passw0rd-1!' };

const tenant = {
  tenant: { friendly_name: 'Disabled factor', rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 } } },
  guardianPolicies: { policies: ['all-applications'] },
  // SMS was enabled when the user enrolled; now only the authenticator app is.
  guardianFactors: [
    { name: 'otp', enabled: true },
    { name: 'sms', enabled: false },
    { name: 'email', enabled: false },
    { name: 'recovery-code', enabled: false },
  ],
  clients: [
    {
      name: 'web',
      client_id: 'web',
      app_type: 'regular_web',
      client_secret: secret,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', realmGrant, 'http://auth0.com/oauth/grant-type/mfa-otp', 'http://auth0.com/oauth/grant-type/mfa-oob'],
      callbacks: [callback],
    },
  ],
  connections: [{ name: connection, strategy: 'auth0', enabled_clients: ['web'] }],
  users: [user, fresh].map((u) => ({ connection, email: u.email, password: u.password, email_verified: true })),
};

describe('a user enrolled only with a factor the tenant disabled', () => {
  let mfa: MfaServer;
  const base = () => mfa.server.baseUrl;
  const token = (params: Record<string, string>) => rawRequest(`${base()}/oauth/token`, { method: 'POST', headers: formHeaders, body: form(params) });
  const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    rawRequest(`${base()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const login = (who: typeof user) => token({ grant_type: realmGrant, client_id: 'web', client_secret: secret, realm: connection, username: who.email, password: who.password, scope: 'openid' });

  before(async () => {
    mfa = await startMfaServer(tenant);
    const userId = (await findUserByEmail(connection, user.email))!.user_id;
    const now = new Date().toISOString();
    await putAuthenticator({ id: newAuthenticatorId('sms'), user_id: userId, kind: 'sms', active: true, created_at: now, confirmed_at: now, phone_number: '+15555550177' });
  });
  after(() => mfa?.stop());

  test('the MFA API: mfa_requirements challenge (nothing left), associate refused, challenge unsupported', async () => {
    const res = await login(user);
    assert.equal(res.status, 403, res.body);
    const body = jsonOf(res);
    assert.equal(body.error, 'mfa_required');
    assert.deepEqual(body.mfa_requirements, { challenge: [] });
    const bearer = { authorization: `Bearer ${body.mfa_token as string}` };
    const associated = await postJson('/mfa/associate', { authenticator_types: ['otp'] }, bearer);
    assert.equal(associated.status, 403, associated.body);
    assert.equal(jsonOf(associated).error_description, 'User is already enrolled.');
    const challenged = await postJson('/mfa/challenge', { client_id: 'web', client_secret: secret, mfa_token: body.mfa_token });
    assert.equal(challenged.status, 400, challenged.body);
    assert.equal(jsonOf(challenged).error, 'unsupported_challenge_type');

    // A user with no factor at all is still asked to enrol the enabled ones.
    const other = jsonOf(await login(fresh));
    assert.deepEqual(other.mfa_requirements, { enroll: [{ type: 'otp' }] });
  });

  test('the hosted pages: the password leads to the challenge page, which says there is nothing to answer with; the enrolment page sends back there', async () => {
    const jar = new CookieJar();
    const started = await send(base(), `/authorize?${new URLSearchParams({ client_id: 'web', redirect_uri: callback, response_type: 'code', scope: 'openid', state: 'st' })}`, { jar });
    assert.equal(started.status, 302, started.body);
    const loginUrl = new URL(started.location!, base());
    const state = loginUrl.searchParams.get('state')!;
    const page = await send(base(), loginUrl.pathname + loginUrl.search, { jar });
    const answer = await send(base(), loginUrl.pathname + loginUrl.search, { jar, form: { state, _csrf: inputValue(page.body, '_csrf')!, username: user.email, password: user.password } });
    assert.equal(answer.status, 303, answer.body);
    assert.equal(new URL(answer.location!, base()).pathname, '/u/mfa-challenge');

    const challenge = await send(base(), `/u/mfa-challenge?state=${encodeURIComponent(state)}`, { jar });
    assert.equal(challenge.status, 403, challenge.body);
    assert.match(challenge.body, /No confirmed authenticators for the enabled factors/);
    const enrolment = await send(base(), `/u/mfa-enrollment?state=${encodeURIComponent(state)}`, { jar });
    assert.equal(enrolment.status, 303, enrolment.body);
    assert.equal(new URL(enrolment.location!, base()).pathname, '/u/mfa-challenge');
    assert.ok(!/data-secret=/.test(enrolment.body), 'no TOTP secret handed out');
  });
});
