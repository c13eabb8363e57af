import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuthApiError, AuthenticationClient } from 'auth0/legacy';
import { decodeJwt } from 'jose';
import { openSecret, sealSecret } from '../../shared/crypto/secret-box.ts';
import { issueMfaToken } from '../../shared/mfa/mfa-token.ts';
import { newTotpSecret, totpCode, totpStep } from '../../shared/mfa/totp.ts';
import { listAuthenticators, newAuthenticatorId, putAuthenticator } from '../../shared/store/authenticators.ts';
import { createOobChallenge } from '../../shared/store/oob-challenges.ts';
import { findUserByEmail } from '../../shared/store/users.ts';
import { form, formHeaders, jsonOf, rawRequest, type RawResponse } from '../support/http-client.ts';
import type { LocalServer } from '../support/local-server.ts';
import { mfaForEveryLogin, type MfaServer, startMfaServer } from '../support/mfa-server.ts';

/**
 * The MFA API (reference §8) against the real local server, through the whole embedded flow
 * of §3.8: password-realm → 403 mfa_required + mfa_token → /mfa/associate → the first right
 * code at /oauth/token confirms the enrolment and issues tokens with amr ["mfa"]; then
 * challenges of enrolled users, recovery codes, listing and deleting with an MFA-API access
 * token, and the refusals. Codes sent by email and SMS are read from `<dataDir>/outbox.jsonl`;
 * TOTP codes are computed from the secret /mfa/associate returned. node-auth0 v7's
 * AuthenticationClient has no MFA API calls (no challenge/enroll/list/delete), so the SDK
 * drives the password grant that meets mfa_required, and raw HTTP the rest.
 */
const realmGrant = 'http://auth0.com/oauth/grant-type/password-realm';
const mfaOtpGrant = 'http://auth0.com/oauth/grant-type/mfa-otp';
const mfaOobGrant = 'http://auth0.com/oauth/grant-type/mfa-oob';
const mfaRecoveryGrant = 'http://auth0.com/oauth/grant-type/mfa-recovery-code';
const connection = 'Users';
const secret = 'mfa-backend-secret-0123456789abcdefghij';
const appOrigin = 'https://app.mfa.test';

const users = {
  otp: { email: 'otp@mfa.test', password: 'Otp-Passw0rd-Mfa!' },
  mail: { email: 'mail@mfa.test', password: 'Mail-Passw0rd-Mfa!' },
  sms: { email: 'sms@mfa.test', password: 'Sms-Passw0rd-Mfa!' },
  manage: { email: 'manage@mfa.test', password: 'Manage-Passw0rd-Mfa!' },
  retry: { email: 'retry@mfa.test', password: 'Retry-Passw0rd-Mfa!' },
  fuzz: { email: 'fuzz@mfa.test', password: 'Fuzz-Passw0rd-Mfa!' },
};
type UserName = keyof typeof users;

export const mfaTenant = {
  tenant: { friendly_name: 'MFA tests', rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 } } },
  ...mfaForEveryLogin,
  clients: [
    {
      name: 'backend',
      client_id: 'backend',
      app_type: 'regular_web',
      client_secret: secret,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: [realmGrant, mfaOtpGrant, mfaOobGrant, mfaRecoveryGrant],
    },
    {
      name: 'spa',
      client_id: 'spa',
      app_type: 'spa',
      token_endpoint_auth_method: 'none',
      grant_types: [realmGrant, mfaOtpGrant, mfaOobGrant, mfaRecoveryGrant],
      allowed_origins: [appOrigin],
    },
    {
      // Logs users in but may not answer MFA: its challenges are refused.
      name: 'no-mfa',
      client_id: 'no-mfa',
      app_type: 'regular_web',
      client_secret: secret,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: [realmGrant],
    },
  ],
  connections: [{ name: connection, strategy: 'auth0', enabled_clients: ['backend', 'spa', 'no-mfa'] }],
  users: Object.values(users).map((u) => ({ connection, email: u.email, password: u.password, email_verified: true })),
};

type Json = Record<string, unknown>;

describe('the MFA API', () => {
  let mfa: MfaServer;
  let server: LocalServer;
  let mfaAudience: string;

  before(async () => {
    mfa = await startMfaServer(mfaTenant);
    server = mfa.server;
    mfaAudience = `${server.issuer}mfa/`;
  });
  after(() => mfa?.stop());

  const url = (path: string) => `${server.baseUrl}${path}`;
  const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    rawRequest(url(path), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const token = (params: Record<string, string>) => rawRequest(url('/oauth/token'), { method: 'POST', headers: formHeaders, body: form(params) });
  const backend = { client_id: 'backend', client_secret: secret };

  /** The mfa_required answer of a password-realm login (raw HTTP). */
  async function mfaTokenOf(name: UserName, extra: Record<string, string> = {}): Promise<{ mfaToken: string; body: Json }> {
    const res = await token({ grant_type: realmGrant, ...backend, realm: connection, username: users[name].email, password: users[name].password, scope: 'openid', ...extra });
    const body = jsonOf(res);
    assert.equal(res.status, 403, res.body);
    assert.equal(body.error, 'mfa_required');
    assert.equal(typeof body.mfa_token, 'string');
    return { mfaToken: body.mfa_token as string, body };
  }

  /** The latest message the outbox holds for `to`. */
  async function lastMessage(to: string): Promise<{ channel: string; code?: string; template: string; text: string }> {
    const lines = (await readFile(join(server.dataDir, 'outbox.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');
    const mine = lines.map((l) => JSON.parse(l) as { to: string; channel: string; code?: string; template: string; text: string }).filter((m) => m.to === to);
    assert.ok(mine.length > 0, `no message to ${to}`);
    return mine.at(-1)!;
  }

  const currentTotp = (base32: string) => totpCode(base32, totpStep(Date.now()));
  const assertError = (res: RawResponse, status: number, error: string, description?: string | RegExp) => {
    assert.equal(res.status, status, res.body);
    const body = jsonOf(res);
    assert.equal(body.error, error, res.body);
    if (typeof description === 'string') assert.equal(body.error_description, description);
    else if (description) assert.match(String(body.error_description), description);
  };
  const listWith = (bearerToken: string) => rawRequest(url('/mfa/authenticators'), { headers: bearer(bearerToken) });

  /** Enrols TOTP for a user and confirms it; returns its secret and recovery code. */
  async function enrolOtp(name: UserName): Promise<{ secret: string; recoveryCode: string; tokens: Json }> {
    const { mfaToken } = await mfaTokenOf(name);
    const res = await postJson('/mfa/associate', { authenticator_types: ['otp'] }, bearer(mfaToken));
    assert.equal(res.status, 200, res.body);
    const body = jsonOf(res);
    const granted = await token({ grant_type: mfaOtpGrant, ...backend, mfa_token: mfaToken, otp: currentTotp(body.secret as string) });
    assert.equal(granted.status, 200, granted.body);
    return { secret: body.secret as string, recoveryCode: (body.recovery_codes as string[])[0]!, tokens: jsonOf(granted) };
  }

  describe('TOTP', () => {
    let otpSecret: string;
    let recoveryCode: string;

    test('the SDK meets mfa_required; associate otp, confirm with the first code, tokens say amr mfa', async () => {
      const sdk = new AuthenticationClient({
        domain: new URL(server.issuer).host,
        clientId: 'backend',
        clientSecret: secret,
        fetch: (input, init) => {
          const target = new URL(input instanceof Request ? input.url : String(input));
          return fetch(`${server.baseUrl}${target.pathname}${target.search}`, init);
        },
      });
      const refused = await sdk.oauth.passwordGrant({ username: users.otp.email, password: users.otp.password, realm: connection, scope: 'openid' }).then(
        () => assert.fail('expected mfa_required'),
        (error: unknown) => error,
      );
      assert.ok(refused instanceof AuthApiError);
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.error, 'mfa_required');
      const refusal = JSON.parse(refused.body) as Json;
      const mfaToken = refusal.mfa_token as string;
      assert.deepEqual(refusal.mfa_requirements, { enroll: [{ type: 'otp' }, { type: 'phone' }, { type: 'email' }] });

      assert.deepEqual(jsonOf(await listWith(mfaToken)), []);
      const challengeFirst = await postJson('/mfa/challenge', { ...backend, mfa_token: mfaToken, challenge_type: 'otp' });
      assertError(challengeFirst, 400, 'association_required');

      const res = await postJson('/mfa/associate', { authenticator_types: ['otp'] }, bearer(mfaToken));
      assert.equal(res.status, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = jsonOf(res);
      assert.equal(body.authenticator_type, 'otp');
      otpSecret = body.secret as string;
      assert.match(otpSecret, /^[A-Z2-7]{32}$/);
      const barcode = new URL(body.barcode_uri as string);
      assert.equal(barcode.protocol, 'otpauth:');
      assert.equal(barcode.searchParams.get('secret'), otpSecret);
      assert.equal(barcode.searchParams.get('issuer'), 'MFA tests');
      assert.ok(decodeURIComponent(barcode.pathname).endsWith(users.otp.email));
      const codes = body.recovery_codes as string[];
      assert.equal(codes.length, 1);
      recoveryCode = codes[0]!;
      assert.match(recoveryCode, /^[A-Z0-9]{24}$/);

      // At rest: the seed only sealed, the recovery code only as a digest; neither in the server's output.
      const stored = await listAuthenticators((await findUserByEmail(connection, users.otp.email))!.user_id);
      for (const record of stored) assert.ok(!JSON.stringify(record).includes(otpSecret) && !JSON.stringify(record).includes(recoveryCode));
      const seed = stored.find((a) => a.kind === 'otp')!;
      assert.equal(await openSecret(seed.secret_sealed!, { user_id: seed.user_id, authenticator_id: seed.id }), otpSecret);
      assert.ok(!server.output().includes(otpSecret) && !server.output().includes(recoveryCode));

      // Unconfirmed: listed as active false, and not yet something to challenge.
      const pending = jsonOf<Json[]>(await listWith(mfaToken));
      assert.deepEqual(pending.map((a) => [a.authenticator_type, a.active]), [['recovery-code', false], ['otp', false]]);
      assert.match(String(pending[1]!.id), /^totp\|dev_/);
      assertError(await postJson('/mfa/challenge', { ...backend, mfa_token: mfaToken }), 400, 'association_required');

      assertError(await token({ grant_type: mfaOtpGrant, ...backend, mfa_token: mfaToken, otp: '000000' === currentTotp(otpSecret) ? '111111' : '000000' }), 403, 'invalid_grant', 'Invalid otp_code.');
      const granted = await token({ grant_type: mfaOtpGrant, ...backend, mfa_token: mfaToken, otp: currentTotp(otpSecret) });
      assert.equal(granted.status, 200, granted.body);
      const tokens = jsonOf(granted);
      assert.deepEqual(decodeJwt(tokens.id_token as string).amr, ['mfa']);

      const confirmed = jsonOf<Json[]>(await listWith(mfaToken));
      assert.deepEqual(confirmed.map((a) => [a.authenticator_type, a.active]), [['recovery-code', true], ['otp', true]]);
    });

    test('an enrolled user: associate with an mfa_token is refused, challenge otp answers otp', async () => {
      const { mfaToken, body } = await mfaTokenOf('otp');
      assert.deepEqual(body.mfa_requirements, { challenge: [{ type: 'otp' }, { type: 'recovery-code' }] });
      assertError(await postJson('/mfa/associate', { authenticator_types: ['oob'], oob_channels: ['email'], email: users.otp.email }, bearer(mfaToken)), 403, 'access_denied', 'User is already enrolled.');
      const list = jsonOf<Json[]>(await listWith(mfaToken));
      assert.equal(list.length, 2, 'the refused association added nothing');

      const otpId = list.find((a) => a.authenticator_type === 'otp')!.id as string;
      for (const params of [{ challenge_type: 'otp' }, { challenge_type: 'otp oob' }, {}, { authenticator_id: otpId, challenge_type: 'otp' }]) {
        const res = await postJson('/mfa/challenge', { ...backend, mfa_token: mfaToken, ...params });
        assert.equal(res.status, 200, res.body);
        assert.deepEqual(jsonOf(res), { challenge_type: 'otp' });
      }
      assertError(await postJson('/mfa/challenge', { ...backend, mfa_token: mfaToken, challenge_type: 'oob' }), 400, 'unsupported_challenge_type');
      assertError(await postJson('/mfa/challenge', { ...backend, mfa_token: mfaToken, challenge_type: 'push' }), 400, 'unsupported_challenge_type');
      assertError(await postJson('/mfa/challenge', { ...backend, mfa_token: mfaToken, authenticator_id: 'totp|dev_AAAAAAAAAAAAAAAA' }), 400, 'invalid_request');
    });

    test('a recovery code logs in once and returns the next one', async () => {
      const { mfaToken } = await mfaTokenOf('otp');
      const res = await token({ grant_type: mfaRecoveryGrant, ...backend, mfa_token: mfaToken, recovery_code: recoveryCode });
      assert.equal(res.status, 200, res.body);
      const body = jsonOf(res);
      assert.match(String(body.recovery_code), /^[A-Z0-9]{24}$/);
      assert.notEqual(body.recovery_code, recoveryCode);
      assert.deepEqual(decodeJwt(body.id_token as string).amr, ['mfa']);
      const again = await mfaTokenOf('otp');
      assertError(await token({ grant_type: mfaRecoveryGrant, ...backend, mfa_token: again.mfaToken, recovery_code: recoveryCode }), 403, 'invalid_grant');
    });
  });

  describe('out of band', () => {
    test('email: associate sends a code, mfa-oob with the binding code confirms; later challenges send new codes', async () => {
      const { mfaToken } = await mfaTokenOf('mail');
      const res = await postJson('/mfa/associate', { authenticator_types: ['oob'], oob_channels: ['email'], email: users.mail.email }, bearer(mfaToken));
      assert.equal(res.status, 200, res.body);
      const body = jsonOf(res);
      assert.equal(body.authenticator_type, 'oob');
      assert.equal(body.binding_method, 'prompt');
      assert.equal(body.oob_channel, 'email');
      assert.equal((body.recovery_codes as string[]).length, 1);
      const mail = await lastMessage(users.mail.email);
      assert.equal(mail.channel, 'email');
      assert.match(String(mail.code), /^\d{6}$/);
      assert.ok(!JSON.stringify(body).includes(mail.code!), 'the code travels only by email');

      const pending = await token({ grant_type: mfaOobGrant, ...backend, mfa_token: mfaToken, oob_code: body.oob_code as string });
      assertError(pending, 403, 'authorization_pending');
      const granted = await token({ grant_type: mfaOobGrant, ...backend, mfa_token: mfaToken, oob_code: body.oob_code as string, binding_code: mail.code! });
      assert.equal(granted.status, 200, granted.body);
      assert.deepEqual(decodeJwt(jsonOf(granted).id_token as string).amr, ['mfa']);

      const list = jsonOf<Json[]>(await listWith(mfaToken));
      assert.deepEqual(list.find((a) => a.authenticator_type === 'oob'), { id: list[1]!.id, authenticator_type: 'oob', active: true, oob_channel: 'email', name: users.mail.email });

      const next = await mfaTokenOf('mail');
      const challenged = await postJson('/mfa/challenge', { ...backend, mfa_token: next.mfaToken, challenge_type: 'oob' });
      assert.equal(challenged.status, 200, challenged.body);
      const challenge = jsonOf(challenged);
      assert.equal(challenge.challenge_type, 'oob');
      assert.equal(challenge.binding_method, 'prompt');
      const second = await lastMessage(users.mail.email);
      assert.notEqual(second.code, mail.code);
      const again = await token({ grant_type: mfaOobGrant, ...backend, mfa_token: next.mfaToken, oob_code: challenge.oob_code as string, binding_code: second.code! });
      assert.equal(again.status, 200, again.body);
    });

    test('sms: same flow by text message; the name is the masked number', async () => {
      const phone = '+14155550123';
      const { mfaToken } = await mfaTokenOf('sms');
      assertError(await postJson('/mfa/associate', { authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: '4155550123' }, bearer(mfaToken)), 400, 'invalid_request');
      const res = await postJson('/mfa/associate', { authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: phone }, bearer(mfaToken));
      assert.equal(res.status, 200, res.body);
      const body = jsonOf(res);
      assert.equal(body.oob_channel, 'sms');
      const sms = await lastMessage(phone);
      assert.equal(sms.channel, 'sms');
      assert.ok(sms.text.includes(sms.code!));
      const granted = await token({ grant_type: mfaOobGrant, ...backend, mfa_token: mfaToken, oob_code: body.oob_code as string, binding_code: sms.code! });
      assert.equal(granted.status, 200, granted.body);
      const list = jsonOf<Json[]>(await listWith(mfaToken));
      const entry = list.find((a) => a.authenticator_type === 'oob')!;
      assert.equal(entry.name, 'XXXXXXX0123');
      assert.equal(entry.oob_channel, 'sms');

      // The public client challenges too (client_id only), from its allowed origin only.
      const login = await token({ grant_type: realmGrant, client_id: 'spa', realm: connection, username: users.sms.email, password: users.sms.password, scope: 'openid' });
      assertError(login, 403, 'mfa_required');
      const spaToken = jsonOf(login).mfa_token as string;
      const challenge = { client_id: 'spa', mfa_token: spaToken, authenticator_id: entry.id };
      assertError(await postJson('/mfa/challenge', challenge, { origin: 'https://evil.mfa.test' }), 403, 'access_denied');
      const ok = await postJson('/mfa/challenge', challenge, { origin: appOrigin });
      assert.equal(ok.status, 200, ok.body);
      assert.equal(ok.headers['access-control-allow-origin'], appOrigin);
      assert.equal(ok.headers['x-ratelimit-limit'], '10');
      const answer = jsonOf(ok);
      const code = (await lastMessage(phone)).code!;
      const spaGranted = await token({ grant_type: mfaOobGrant, client_id: 'spa', mfa_token: spaToken, oob_code: answer.oob_code as string, binding_code: code });
      assert.equal(spaGranted.status, 200, spaGranted.body);
    });

    test('email sends are limited per user too: 10 in all, then 429 too_many_requests with the headers', async () => {
      const { mfaToken } = await mfaTokenOf('mail');
      // Some of the user's 10 were spent above (associate, challenges).
      const statuses: number[] = [];
      let last: RawResponse | undefined;
      for (let i = 0; i < 11; i++) {
        last = await postJson('/mfa/challenge', { ...backend, mfa_token: mfaToken, challenge_type: 'oob' });
        statuses.push(last.status);
        if (last.status !== 200) break;
        assert.equal(last.headers['x-ratelimit-limit'], '10');
      }
      assert.ok(statuses.length <= 9, `statuses ${statuses.join(',')}`);
      assert.equal(last!.status, 429, last!.body);
      assert.equal(jsonOf(last!).error, 'too_many_requests');
      assert.equal(last!.headers['x-ratelimit-limit'], '10');
      assert.equal(last!.headers['x-ratelimit-remaining'], '0');
      assert.match(last!.headers['retry-after'] ?? '', /^[0-9]+$/);
    });

    test('SMS sends are limited per user: 10, then 429 too_many_requests with the headers', async () => {
      const { mfaToken } = await mfaTokenOf('sms');
      // Two sends were spent above (associate, one challenge).
      let last: RawResponse | undefined;
      for (let i = 0; i < 9; i++) {
        last = await postJson('/mfa/challenge', { ...backend, mfa_token: mfaToken, challenge_type: 'oob' });
        if (last.status !== 200) break;
      }
      assert.equal(last!.status, 429, last!.body);
      assert.equal(jsonOf(last!).error, 'too_many_requests');
      assert.equal(last!.headers['x-ratelimit-remaining'], '0');
      assert.ok(last!.headers['retry-after']);
    });
  });

  describe('managing authenticators with an MFA-API access token', () => {
    let accessToken: string;
    let readOnly: string;
    let otpSecret: string;

    before(async () => {
      const enrolled = await enrolOtp('manage');
      otpSecret = enrolled.secret;
      const asked = await mfaTokenOf('manage', { audience: mfaAudience, scope: 'enroll read:authenticators remove:authenticators' });
      // A code of the next step: the step enrolOtp used cannot be used again.
      const step = totpStep(Date.now()) + 1;
      const granted = await token({ grant_type: mfaOtpGrant, ...backend, mfa_token: asked.mfaToken, otp: totpCode(otpSecret, step) });
      assert.equal(granted.status, 200, granted.body);
      accessToken = jsonOf(granted).access_token as string;
      const claims = decodeJwt(accessToken);
      assert.equal(claims.aud, mfaAudience);
      assert.deepEqual(String(claims.scope).split(' ').sort(), ['enroll', 'read:authenticators', 'remove:authenticators']);
      const readAsked = await mfaTokenOf('manage', { audience: mfaAudience, scope: 'read:authenticators' });
      // TOTP steps only move forward (a later step was just used), so this one answers with the recovery code.
      const readGranted = await token({ grant_type: mfaRecoveryGrant, ...backend, mfa_token: readAsked.mfaToken, recovery_code: enrolled.recoveryCode });
      assert.equal(readGranted.status, 200, readGranted.body);
      readOnly = jsonOf(readGranted).access_token as string;
    });

    test('list, enrol another factor (no new recovery code), delete by the URL-encoded id, 404 after', async () => {
      const list = jsonOf<Json[]>(await listWith(accessToken));
      assert.deepEqual(list.map((a) => [a.authenticator_type, a.active]), [['recovery-code', true], ['otp', true]]);

      const added = await postJson('/mfa/associate', { authenticator_types: ['oob'], oob_channels: ['email'], email: 'second@mfa.test' }, bearer(accessToken));
      assert.equal(added.status, 200, added.body);
      assert.equal(jsonOf(added).recovery_codes, undefined, 'recovery codes come with the first enrolment only');
      const withEmail = jsonOf<Json[]>(await listWith(readOnly));
      const email = withEmail.find((a) => a.oob_channel === 'email')!;
      assert.equal(email.active, false);

      const path = `/mfa/authenticators/${encodeURIComponent(email.id as string)}`;
      assert.ok(path.includes('%7C'));
      const { mfaToken } = await mfaTokenOf('manage');
      assertError(await rawRequest(url(path), { method: 'DELETE', headers: bearer(mfaToken) }), 401, 'invalid_token');
      assertError(await rawRequest(url(path), { method: 'DELETE', headers: bearer(readOnly) }), 403, 'insufficient_scope');
      assertError(await postJson('/mfa/associate', { authenticator_types: ['otp'] }, bearer(readOnly)), 403, 'insufficient_scope');
      const deleted = await rawRequest(url(path), { method: 'DELETE', headers: bearer(accessToken) });
      assert.equal(deleted.status, 204, deleted.body);
      assert.equal(deleted.body, '');
      assertError(await rawRequest(url(path), { method: 'DELETE', headers: bearer(accessToken) }), 404, 'not_found');
      assertError(await rawRequest(url('/mfa/authenticators/totp%7Cdev_nope'), { method: 'DELETE', headers: bearer(accessToken) }), 404, 'not_found');
      assertError(await rawRequest(url('/mfa/authenticators/%E0%A4%A'), { method: 'DELETE', headers: bearer(accessToken) }), 404, 'not_found');
      assert.equal(jsonOf<Json[]>(await listWith(accessToken)).length, 2);
    });

    test('a second factor enrolled with the access token is confirmed by the next login: email by mfa-oob, TOTP by mfa-otp', async () => {
      const added = await postJson('/mfa/associate', { authenticator_types: ['oob'], oob_channels: ['email'], email: 'third@mfa.test' }, bearer(accessToken));
      assert.equal(added.status, 200, added.body);
      const mail = await lastMessage('third@mfa.test');
      const login = await mfaTokenOf('manage');
      const granted = await token({ grant_type: mfaOobGrant, ...backend, mfa_token: login.mfaToken, oob_code: jsonOf(added).oob_code as string, binding_code: mail.code! });
      assert.equal(granted.status, 200, granted.body);
      assert.deepEqual(decodeJwt(jsonOf(granted).id_token as string).amr, ['mfa']);
      const withEmail = jsonOf<Json[]>(await listWith(accessToken)).find((a) => a.name === 'third@mfa.test')!;
      assert.equal(withEmail.active, true);

      const otp = jsonOf(await postJson('/mfa/associate', { authenticator_types: ['otp'] }, bearer(accessToken)));
      assert.equal(otp.recovery_codes, undefined);
      const next = await mfaTokenOf('manage');
      const confirmed = await token({ grant_type: mfaOtpGrant, ...backend, mfa_token: next.mfaToken, otp: currentTotp(otp.secret as string) });
      assert.equal(confirmed.status, 200, confirmed.body);
      const otps = jsonOf<Json[]>(await listWith(accessToken)).filter((a) => a.authenticator_type === 'otp');
      assert.deepEqual(otps.map((a) => a.active), [true, true]);
      const after = await mfaTokenOf('manage');
      assert.deepEqual(after.body.mfa_requirements, { challenge: [{ type: 'otp' }, { type: 'email' }, { type: 'recovery-code' }] });
    });

    test('a pending enrolment the access token did not make never answers for a user with an active factor', async () => {
      const userId = (await findUserByEmail(connection, users.manage.email))!.user_id;
      // As an mfa_token (anyone with the password) could have left them before the user confirmed a factor.
      const now = new Date().toISOString();
      const mailId = newAuthenticatorId('email');
      await putAuthenticator({ id: mailId, user_id: userId, kind: 'email', active: false, created_at: now, email: 'evil@mfa.test', enrolled_with: 'mfa_token' });
      const seed = newTotpSecret();
      const otpId = newAuthenticatorId('otp');
      await putAuthenticator({ id: otpId, user_id: userId, kind: 'otp', active: false, created_at: now, secret_sealed: await sealSecret(seed, { user_id: userId, authenticator_id: otpId }) });
      const { oobCode, bindingCode } = await createOobChallenge({ user_id: userId, authenticator_id: mailId, client_id: 'backend', channel: 'email', enrollment: true });

      const { mfaToken } = await mfaTokenOf('manage');
      assertError(await token({ grant_type: mfaOobGrant, ...backend, mfa_token: mfaToken, oob_code: oobCode, binding_code: bindingCode }), 403, 'invalid_grant', 'Malformed oob_code');
      assertError(await token({ grant_type: mfaOtpGrant, ...backend, mfa_token: mfaToken, otp: currentTotp(seed) }), 403, 'invalid_grant', 'Invalid otp_code.');
      const stored = await listAuthenticators(userId);
      assert.equal(stored.find((a) => a.id === mailId)?.active, false);
      assert.equal(stored.find((a) => a.id === otpId)?.active, false);
    });
  });

  describe('refusals', () => {
    test('no, wrong, foreign and expired mfa_tokens', async () => {
      assertError(await rawRequest(url('/mfa/authenticators')), 401, 'invalid_token');
      assertError(await rawRequest(url('/mfa/authenticators'), { headers: { authorization: 'Basic Zm9vOmJhcg==' } }), 401, 'invalid_token');
      assertError(await listWith('not-a-token'), 403, 'invalid_grant', 'Malformed mfa_token');
      assertError(await listWith('a.b.c'), 401, 'invalid_token');
      assertError(await postJson('/mfa/associate', { authenticator_types: ['otp'] }, bearer('x.y.z.w.v')), 403, 'invalid_grant', 'Malformed mfa_token');
      assertError(await postJson('/mfa/challenge', { ...backend, mfa_token: 'garbage' }), 403, 'invalid_grant', 'Malformed mfa_token');
      assertError(await postJson('/mfa/challenge', { ...backend }), 400, 'invalid_request');

      // Another client's mfa_token.
      const { mfaToken } = await mfaTokenOf('retry');
      assertError(await postJson('/mfa/challenge', { client_id: 'spa', mfa_token: mfaToken }), 403, 'invalid_grant', 'Malformed mfa_token');
      assertError(await postJson('/mfa/associate', { client_id: 'spa', authenticator_types: ['otp'] }, bearer(mfaToken)), 403, 'invalid_grant', 'Malformed mfa_token');
      // The right client with a wrong secret.
      assertError(await postJson('/mfa/challenge', { client_id: 'backend', client_secret: 'wrong', mfa_token: mfaToken }), 401, 'invalid_client');
      // A client without the MFA grants.
      const noMfa = await token({ grant_type: realmGrant, client_id: 'no-mfa', client_secret: secret, realm: connection, username: users.otp.email, password: users.otp.password });
      assertError(noMfa, 403, 'mfa_required');
      assertError(await postJson('/mfa/challenge', { client_id: 'no-mfa', client_secret: secret, mfa_token: jsonOf(noMfa).mfa_token }), 403, 'unauthorized_client');
      // Nor may it enrol (reference §8: the MFA grant type must be enabled on the application), and nothing is stored.
      const noMfaFresh = await token({ grant_type: realmGrant, client_id: 'no-mfa', client_secret: secret, realm: connection, username: users.fuzz.email, password: users.fuzz.password });
      assertError(noMfaFresh, 403, 'mfa_required');
      const fresh = jsonOf(noMfaFresh).mfa_token as string;
      assertError(await postJson('/mfa/associate', { authenticator_types: ['otp'] }, bearer(fresh)), 403, 'unauthorized_client', `Grant type '${mfaOtpGrant}' not allowed for the client.`);
      assertError(await postJson('/mfa/associate', { authenticator_types: ['oob'], oob_channels: ['email'] }, bearer(fresh)), 403, 'unauthorized_client', `Grant type '${mfaOobGrant}' not allowed for the client.`);
      assert.deepEqual(jsonOf(await listWith(fresh)), []);

      const now = Date.now();
      const claims = { iss: server.issuer, sub: 'auth0|000000000000000000000000', client_id: 'backend', connection, scope: ['openid'], auth_time: Math.floor(now / 1000) };
      const expired = await issueMfaToken(claims, now - 11 * 60_000);
      assertError(await postJson('/mfa/challenge', { ...backend, mfa_token: expired }), 403, 'expired_token', 'mfa_token is expired');
      assertError(await listWith(expired), 403, 'expired_token', 'mfa_token is expired');
    });

    test('malformed associations', async () => {
      const { mfaToken } = await mfaTokenOf('retry');
      const cases: [unknown, string][] = [
        [{}, 'invalid_request'],
        [{ authenticator_types: 'otp oob' }, 'invalid_request'],
        [{ authenticator_types: [1] }, 'invalid_request'],
        [{ authenticator_types: ['push'] }, 'invalid_request'],
        [{ authenticator_types: ['oob'] }, 'invalid_request'],
        [{ authenticator_types: ['oob'], oob_channels: ['voice'], phone_number: '+14155550100' }, 'invalid_request'],
        [{ authenticator_types: ['oob'], oob_channels: ['auth0'] }, 'invalid_request'],
        [{ authenticator_types: ['oob'], oob_channels: ['sms'] }, 'invalid_request'],
        [{ authenticator_types: ['oob'], oob_channels: ['email'], email: 'not an email' }, 'invalid_request'],
        [[], 'invalid_request'],
      ];
      for (const [body, error] of cases) assertError(await postJson('/mfa/associate', body, bearer(mfaToken)), 400, error);
      assert.deepEqual(jsonOf(await listWith(mfaToken)), [], 'nothing was enrolled');
      const wrongMethod = await rawRequest(url('/mfa/associate'), { method: 'GET', headers: bearer(mfaToken) });
      assert.equal(wrongMethod.status, 405);
    });

    test('an unconfirmed enrolment is replaced by the next one, recovery code included', async () => {
      const { mfaToken } = await mfaTokenOf('retry');
      const first = jsonOf(await postJson('/mfa/associate', { authenticator_types: ['otp'] }, bearer(mfaToken)));
      const second = jsonOf(await postJson('/mfa/associate', { authenticator_types: ['otp'] }, bearer(mfaToken)));
      assert.notEqual(first.secret, second.secret);
      assert.notDeepEqual(first.recovery_codes, second.recovery_codes);
      assert.deepEqual(jsonOf<Json[]>(await listWith(mfaToken)).map((a) => [a.authenticator_type, a.active]), [['recovery-code', false], ['otp', false]]);
      // The abandoned secret no longer confirms anything.
      assertError(await token({ grant_type: mfaOtpGrant, ...backend, mfa_token: mfaToken, otp: currentTotp(first.secret as string) }), 403, 'invalid_grant');
      const granted = await token({ grant_type: mfaOtpGrant, ...backend, mfa_token: mfaToken, otp: currentTotp(second.secret as string) });
      assert.equal(granted.status, 200, granted.body);
    });

    test('CORS: a preflight from an allowed origin, the answer carries the origin', async () => {
      const pre = await rawRequest(url('/mfa/authenticators'), { method: 'OPTIONS', headers: { origin: appOrigin, 'access-control-request-method': 'GET' } });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers['access-control-allow-origin'], appOrigin);
      const preDelete = await rawRequest(url('/mfa/authenticators/totp%7Cdev_x'), { method: 'OPTIONS', headers: { origin: appOrigin, 'access-control-request-method': 'DELETE' } });
      assert.equal(preDelete.status, 204);
      assert.match(String(preDelete.headers['access-control-allow-methods']), /\bDELETE\b/);
      const { mfaToken } = await mfaTokenOf('fuzz');
      const res = await rawRequest(url('/mfa/authenticators'), { headers: { ...bearer(mfaToken), origin: appOrigin } });
      // backend's mfa_token from the spa's origin: backend does not allow it.
      assertError(res, 403, 'access_denied');
      assert.equal(res.headers['access-control-allow-origin'], appOrigin);
    });
  });
});
