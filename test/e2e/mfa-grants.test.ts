import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { sealSecret } from '../../shared/crypto/secret-box.ts';
import { issueMfaToken, readMfaToken } from '../../shared/mfa/mfa-token.ts';
import { newRecoveryCode, normalizeRecoveryCode, recoveryCodeDigest } from '../../shared/mfa/recovery-codes.ts';
import { newTotpSecret, totpCode, totpStep } from '../../shared/mfa/totp.ts';
import { listAuthenticators, newAuthenticatorId, putAuthenticator, type AuthenticatorKind } from '../../shared/store/authenticators.ts';
import { createOobChallenge } from '../../shared/store/oob-challenges.ts';
import { createRefreshFamily } from '../../shared/store/refresh-tokens.ts';
import { findUserByLogin } from '../../shared/store/users.ts';
import { form, jsonOf, rawRequest, type RawResponse } from '../support/http-client.ts';
import { mfaForEveryLogin, type MfaServer, startMfaServer } from '../support/mfa-server.ts';

/**
 * The token side of MFA end to end (reference §3.4, §3.8, §8.5, §15): the password grants
 * answer 403 `mfa_required` with an `mfa_token` and `mfa_requirements` when the tenant's policy
 * asks for a second factor; the mfa-otp, mfa-oob and mfa-recovery-code grants then issue the
 * tokens the first grant would have, with `amr: ["mfa"]` (kept by refresh). Authenticators and
 * OOB challenges are put through the stores, as /mfa/associate and /mfa/challenge would.
 */
const realmGrant = 'http://auth0.com/oauth/grant-type/password-realm';
const otpGrant = 'http://auth0.com/oauth/grant-type/mfa-otp';
const oobGrant = 'http://auth0.com/oauth/grant-type/mfa-oob';
const recoveryGrant = 'http://auth0.com/oauth/grant-type/mfa-recovery-code';
const grants = ['password', realmGrant, 'refresh_token', otpGrant, oobGrant, recoveryGrant];
const audience = 'https://api.mfa.test/';
const secret = 'mfa-backend-secret-0123456789abcdef';
const passwordOf = (who: string) => `Correct-Horse-${who}-42!`;
const emailOf = (who: string) => `${who}@mfa.example.test`;
const people = ['olga', 'oscar', 'penny', 'rita', 'rob', 'sam', 'sue', 'tina', 'wes', 'mia', 'max', 'prop', 'ed', 'bea', 'rex', 'ren'];

const tenant = {
  tenant: { friendly_name: 'MFA grants', default_directory: 'Users', rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 } } },
  ...mfaForEveryLogin,
  resourceServers: [{ name: 'API', identifier: audience, scopes: [{ value: 'read:a' }], allow_offline_access: true }],
  clients: [
    { name: 'backend', client_id: 'mfa-backend', client_secret: secret, token_endpoint_auth_method: 'client_secret_post', grant_types: grants },
    { name: 'native', client_id: 'mfa-native', app_type: 'native', token_endpoint_auth_method: 'none', grant_types: grants, callbacks: ['com.example:/cb'] },
    { name: 'plain', client_id: 'mfa-plain', client_secret: secret, token_endpoint_auth_method: 'client_secret_post', grant_types: ['password', realmGrant] },
  ],
  connections: [
    { name: 'Users', strategy: 'auth0', enabled_clients: ['backend', 'native', 'plain'] },
    // options.mfa.active false exempts the connection's users (Auth0's switch).
    { name: 'Exempt', strategy: 'auth0', enabled_clients: ['backend'], options: { mfa: { active: false } } },
  ],
  users: [
    ...people.map((who) => ({ connection: 'Users', email: emailOf(who), password: passwordOf(who), email_verified: true })),
    { connection: 'Exempt', email: emailOf('ex'), password: passwordOf('ex'), email_verified: true },
  ],
};

interface OAuthBody {
  error?: string;
  error_description?: string;
  mfa_token?: string;
  mfa_requirements?: { challenge?: { type: string }[]; enroll?: { type: string }[] };
  access_token?: string;
  id_token?: string;
  refresh_token?: string;
  recovery_code?: string;
  scope?: string;
  expires_in?: number;
  token_type?: string;
}

describe('MFA on the token endpoint', () => {
  let mfa: MfaServer;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  const issuer = () => mfa.server.issuer;
  const userIds = new Map<string, string>();

  const token = (params: Record<string, string>) =>
    rawRequest(`${mfa.server.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form(params),
      timeoutMs: 20_000,
    });
  const backend = (params: Record<string, string>) => token({ client_id: 'mfa-backend', client_secret: secret, ...params });
  const body = (res: RawResponse) => jsonOf<OAuthBody>(res);
  const assertError = (res: RawResponse, status: number, error: string, description?: string) => {
    assert.equal(res.status, status, res.body);
    assert.equal(body(res).error, error, res.body);
    if (description !== undefined) assert.equal(body(res).error_description, description, res.body);
  };

  /** The first factor: password-realm on `Users`, which must answer mfa_required. */
  const firstFactor = async (who: string, extra: Record<string, string> = {}, client = backend) => {
    const res = await client({ grant_type: realmGrant, realm: 'Users', username: emailOf(who), password: passwordOf(who), scope: 'openid offline_access read:a', audience, ...extra });
    assertError(res, 403, 'mfa_required', 'Multifactor authentication required');
    const b = body(res);
    assert.equal(typeof b.mfa_token, 'string');
    return b;
  };
  const mfaToken = async (who: string, extra: Record<string, string> = {}) => (await firstFactor(who, extra)).mfa_token!;

  const put = async (who: string, kind: AuthenticatorKind, active: boolean, fields: Record<string, unknown> = {}) => {
    const userId = userIds.get(who)!;
    const id = newAuthenticatorId(kind);
    await putAuthenticator({ id, user_id: userId, kind, active, created_at: new Date().toISOString(), ...(active ? { confirmed_at: new Date().toISOString() } : {}), ...fields });
    return id;
  };
  const enrolOtp = async (who: string, active = true) => {
    const seed = newTotpSecret();
    const userId = userIds.get(who)!;
    const id = newAuthenticatorId('otp');
    const sealed = await sealSecret(seed, { user_id: userId, authenticator_id: id });
    await putAuthenticator({ id, user_id: userId, kind: 'otp', active, created_at: new Date().toISOString(), secret_sealed: sealed });
    return { id, seed };
  };
  const enrolRecovery = async (who: string, active = true) => {
    const code = newRecoveryCode();
    const id = await put(who, 'recovery-code', active, { code_digest: recoveryCodeDigest(normalizeRecoveryCode(code)!) });
    return { id, code };
  };
  const nowCode = (seed: string) => totpCode(seed, totpStep(Date.now()));
  const activeOf = async (who: string) => new Map((await listAuthenticators(userIds.get(who)!)).map((a) => [a.id, a.active]));

  const assertMfaTokens = async (res: RawResponse) => {
    assert.equal(res.status, 200, res.body);
    const b = body(res);
    assert.equal(b.token_type, 'Bearer');
    const { payload: id } = await jwtVerify(b.id_token!, jwks, { issuer: issuer(), audience: 'mfa-backend' });
    assert.deepEqual(id.amr, ['mfa']);
    const { payload: at } = await jwtVerify(b.access_token!, jwks, { issuer: issuer() });
    assert.deepEqual(at.amr, ['mfa']);
    return b;
  };

  before(async () => {
    mfa = await startMfaServer(tenant);
    jwks = createRemoteJWKSet(new URL(`${mfa.server.baseUrl}/.well-known/jwks.json`));
    for (const who of [...people, 'ex']) {
      const user = await findUserByLogin(who === 'ex' ? 'Exempt' : 'Users', emailOf(who));
      assert.ok(user, who);
      userIds.set(who, user.user_id);
    }
  });
  after(async () => {
    await mfa?.stop();
  });

  test('mfa_required lists the factors a user can answer with; a user without any is asked to enrol', async () => {
    await enrolOtp('olga');
    await enrolRecovery('olga');
    await put('olga', 'sms', false, { phone_number: '+15555550100' }); // pending: not listed
    const enrolled = await firstFactor('olga');
    assert.deepEqual(enrolled.mfa_requirements, { challenge: [{ type: 'otp' }, { type: 'recovery-code' }] });
    const fresh = await firstFactor('oscar');
    assert.deepEqual(fresh.mfa_requirements, { enroll: [{ type: 'otp' }, { type: 'phone' }, { type: 'email' }] });
    // No token leaks beside the error.
    assert.equal(enrolled.access_token, undefined);
  });

  test('a connection with options.mfa.active false is exempt; the MFA API audience is not', async () => {
    const res = await backend({ grant_type: realmGrant, realm: 'Exempt', username: emailOf('ex'), password: passwordOf('ex'), scope: 'openid' });
    assert.equal(res.status, 200, res.body);
    assert.equal(decodeJwt(body(res).id_token!).amr, undefined);
    const mfaApi = await backend({ grant_type: realmGrant, realm: 'Exempt', username: emailOf('ex'), password: passwordOf('ex'), audience: `${issuer()}mfa/` });
    assertError(mfaApi, 403, 'mfa_required');
  });

  test('mfa-otp: a right TOTP code gives the original grant\'s tokens with amr mfa; refresh keeps amr', async () => {
    const { seed } = await enrolOtp('penny');
    const res = await backend({ grant_type: otpGrant, mfa_token: await mfaToken('penny'), otp: nowCode(seed) });
    const tokens = await assertMfaTokens(res);
    assert.equal(tokens.scope, 'openid offline_access read:a');
    const at = decodeJwt(tokens.access_token!);
    assert.deepEqual(at.aud, [audience, `${issuer()}userinfo`]);
    assert.equal(at.gty, 'password');
    assert.equal(at.sub, userIds.get('penny'));
    assert.equal(typeof tokens.refresh_token, 'string');
    const refreshed = await backend({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    assert.equal(refreshed.status, 200, refreshed.body);
    assert.deepEqual(decodeJwt(body(refreshed).id_token!).amr, ['mfa']);
    assert.deepEqual(decodeJwt(body(refreshed).access_token!).amr, ['mfa']);
  });

  test('refresh_token (reference §8.5): a family from before MFA applied answers mfa_required and is not spent; MFA then issues a family that refreshes', async () => {
    const settings = { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0, token_lifetime: 86_400, infinite_token_lifetime: false, idle_token_lifetime: 86_400, infinite_idle_token_lifetime: false } as const;
    const authTime = Math.floor(Date.now() / 1000) - 3600;
    const scopes = ['openid', 'offline_access', 'read:a'];
    // As a login of before the tenant turned MFA on left it: no amr.
    const old = await createRefreshFamily({ clientId: 'mfa-backend', userId: userIds.get('ren')!, audience, scopes, authTime, settings });
    const refused = await backend({ grant_type: 'refresh_token', refresh_token: old.token });
    assertError(refused, 403, 'mfa_required', 'Multifactor authentication required');
    assert.deepEqual(body(refused).mfa_requirements, { enroll: [{ type: 'otp' }, { type: 'phone' }, { type: 'email' }] });
    // Not exchanged: asking again gives mfa_required again, not reuse of a rotated token.
    const again = await backend({ grant_type: 'refresh_token', refresh_token: old.token });
    assertError(again, 403, 'mfa_required');
    const claims = await readMfaToken(body(again).mfa_token!, { issuer: issuer(), clientId: 'mfa-backend' });
    assert.deepEqual([...claims.scope], scopes);
    assert.equal(claims.audience, audience);
    assert.equal(claims.auth_time, authTime);

    const { seed } = await enrolOtp('ren');
    const tokens = await assertMfaTokens(await backend({ grant_type: otpGrant, mfa_token: body(again).mfa_token!, otp: nowCode(seed) }));
    assert.equal(decodeJwt(tokens.id_token!).auth_time, authTime);
    const refreshed = await backend({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    assert.equal(refreshed.status, 200, refreshed.body);
    assert.deepEqual(decodeJwt(body(refreshed).access_token!).amr, ['mfa']);

    // An exempt connection's family needs no second factor.
    const exempt = await createRefreshFamily({ clientId: 'mfa-backend', userId: userIds.get('ex')!, audience, scopes, authTime, settings });
    const plain = await backend({ grant_type: 'refresh_token', refresh_token: exempt.token });
    assert.equal(plain.status, 200, plain.body);
    assert.equal(decodeJwt(body(plain).access_token!).amr, undefined);
  });

  test('mfa-otp refuses a wrong code and a code whose step was used already', async () => {
    const { seed } = await enrolOtp('rita');
    const wrongCode = String((Number(nowCode(seed)) + 1) % 1_000_000).padStart(6, '0');
    assertError(await backend({ grant_type: otpGrant, mfa_token: await mfaToken('rita'), otp: wrongCode }), 403, 'invalid_grant', 'Invalid otp_code.');
    const code = nowCode(seed);
    assert.equal((await backend({ grant_type: otpGrant, mfa_token: await mfaToken('rita'), otp: code })).status, 200);
    // RFC 6238 §5.2: the same code again (same step, or the previous one by now) is refused.
    assertError(await backend({ grant_type: otpGrant, mfa_token: await mfaToken('rita'), otp: code }), 403, 'invalid_grant', 'Invalid otp_code.');
  });

  test('mfa-otp confirms a pending enrolment and the recovery code issued with it', async () => {
    const { id, seed } = await enrolOtp('rob', false);
    const recovery = await enrolRecovery('rob', false);
    const first = await firstFactor('rob');
    assert.deepEqual(first.mfa_requirements, { enroll: [{ type: 'otp' }, { type: 'phone' }, { type: 'email' }] });
    await assertMfaTokens(await backend({ grant_type: otpGrant, mfa_token: first.mfa_token!, otp: nowCode(seed) }));
    const active = await activeOf('rob');
    assert.equal(active.get(id), true);
    assert.equal(active.get(recovery.id), true);
    assert.deepEqual((await firstFactor('rob')).mfa_requirements, { challenge: [{ type: 'otp' }, { type: 'recovery-code' }] });
  });

  test('a pending enrolment cannot answer for a user who has an active factor', async () => {
    await enrolOtp('sam', true);
    const stray = await enrolOtp('sam', false);
    assertError(await backend({ grant_type: otpGrant, mfa_token: await mfaToken('sam'), otp: nowCode(stray.seed) }), 403, 'invalid_grant', 'Invalid otp_code.');
    assert.equal((await activeOf('sam')).get(stray.id), false);
  });

  test('mfa_token: missing, malformed, another client\'s, expired', async () => {
    const { seed } = await enrolOtp('sue');
    assertError(await backend({ grant_type: otpGrant, otp: nowCode(seed) }), 400, 'invalid_request');
    assertError(await backend({ grant_type: otpGrant, mfa_token: 'Fe26.2**not-a-token', otp: nowCode(seed) }), 403, 'invalid_grant', 'Malformed mfa_token');
    const nativeToken = (await firstFactor('sue', {}, (p) => token({ client_id: 'mfa-native', ...p }))).mfa_token!;
    assertError(await backend({ grant_type: otpGrant, mfa_token: nativeToken, otp: nowCode(seed) }), 403, 'invalid_grant', 'Malformed mfa_token');
    const expired = await issueMfaToken(
      { iss: issuer(), sub: userIds.get('sue')!, client_id: 'mfa-backend', connection: 'Users', scope: ['openid'], gty: 'password', auth_time: Math.floor(Date.now() / 1000) - 1200 },
      Date.now() - 1_200_000,
    );
    assertError(await backend({ grant_type: otpGrant, mfa_token: expired, otp: nowCode(seed) }), 403, 'expired_token', 'mfa_token is expired');
    // A public client may finish its own login.
    const own = await token({ client_id: 'mfa-native', grant_type: otpGrant, mfa_token: nativeToken, otp: nowCode(seed) });
    assert.equal(own.status, 200, own.body);
    assert.deepEqual(decodeJwt(body(own).id_token!).amr, ['mfa']);
  });

  test('a client without the MFA grants is refused them', async () => {
    const res = await token({ client_id: 'mfa-plain', client_secret: secret, grant_type: otpGrant, mfa_token: 'x', otp: '123456' });
    assertError(res, 403, 'unauthorized_client');
  });

  test('too many wrong codes: 429 too_many_attempts, then even the right code is refused', async () => {
    const { seed } = await enrolOtp('tina');
    const mfaTokenValue = await mfaToken('tina');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await backend({ grant_type: otpGrant, mfa_token: mfaTokenValue, otp: i % 2 ? '000000' : '999999' });
      statuses.push(res.status);
      if (res.status === 429) {
        assert.equal(body(res).error, 'too_many_attempts', res.body);
        break;
      }
      assertError(res, 403, 'invalid_grant', 'Invalid otp_code.');
    }
    assert.equal(statuses.at(-1), 429, `statuses ${statuses.join(',')}`);
    assert.ok(statuses.length >= 10, `blocked after ${statuses.length - 1} failures`);
    assertError(await backend({ grant_type: otpGrant, mfa_token: mfaTokenValue, otp: nowCode(seed) }), 429, 'too_many_attempts');
  });

  test('mfa-recovery-code: spends the code, returns a new one; the old one then fails', async () => {
    await enrolOtp('wes');
    const { code } = await enrolRecovery('wes');
    const first = await backend({ grant_type: recoveryGrant, mfa_token: await mfaToken('wes'), recovery_code: code.toLowerCase() });
    const tokens = await assertMfaTokens(first);
    assert.match(tokens.recovery_code ?? '', /^[A-Z0-9]{24}$/);
    assert.notEqual(tokens.recovery_code, code);
    assertError(await backend({ grant_type: recoveryGrant, mfa_token: await mfaToken('wes'), recovery_code: code }), 403, 'invalid_grant', 'Invalid recovery_code.');
    await assertMfaTokens(await backend({ grant_type: recoveryGrant, mfa_token: await mfaToken('wes'), recovery_code: tokens.recovery_code! }));
    assertError(await backend({ grant_type: recoveryGrant, mfa_token: await mfaToken('wes'), recovery_code: 'not a code' }), 403, 'invalid_grant', 'Invalid recovery_code.');
  });

  test('two concurrent uses of one recovery code: exactly one wins', async () => {
    await enrolOtp('mia');
    const { code } = await enrolRecovery('mia');
    const tokens = await Promise.all([mfaToken('mia'), mfaToken('mia'), mfaToken('mia'), mfaToken('mia')]);
    const answers = await Promise.all(tokens.map((t) => backend({ grant_type: recoveryGrant, mfa_token: t, recovery_code: code })));
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 403, 403, 403], answers.map((r) => r.body).join('\n'));
    for (const r of answers.filter((a) => a.status === 403)) assert.equal(body(r).error_description, 'Invalid recovery_code.');
  });

  test('40 concurrent wrong recovery codes and the right one: at most 10 are checked, the rest 429', async () => {
    await enrolOtp('rex');
    const { code } = await enrolRecovery('rex');
    const mfaTokenValue = await mfaToken('rex');
    const guesses = [...Array.from({ length: 40 }, () => newRecoveryCode()), code];
    const answers = await Promise.all(guesses.map((guess) => backend({ grant_type: recoveryGrant, mfa_token: mfaTokenValue, recovery_code: guess })));
    const wrong = answers.filter((r) => r.status === 403);
    for (const r of wrong) assert.equal(body(r).error_description, 'Invalid recovery_code.');
    for (const r of answers.filter((a) => a.status === 429)) assert.equal(body(r).error, 'too_many_attempts', r.body);
    assert.ok(wrong.length <= 10, `${wrong.length} wrong codes checked`);
    assert.ok(answers.filter((r) => r.status === 200).length <= 1);
    assert.equal(answers.filter((r) => ![200, 403, 429].includes(r.status)).length, 0, answers.map((r) => r.body).join('\n'));
  });

  test('mfa-oob: pending without binding_code, wrong binding code, right one, then the oob_code is spent', async () => {
    const userId = userIds.get('max')!;
    const smsId = await put('max', 'sms', true, { phone_number: '+15555550101' });
    const mfaTokenValue = await mfaToken('max');
    const { oobCode, bindingCode } = await createOobChallenge({ user_id: userId, authenticator_id: smsId, client_id: 'mfa-backend', channel: 'sms', enrollment: false });
    assertError(await backend({ grant_type: oobGrant, mfa_token: mfaTokenValue, oob_code: oobCode }), 403, 'authorization_pending', 'Authorization pending: please repeat the request in a few seconds.');
    const wrong = bindingCode === '000000' ? '111111' : '000000';
    assertError(await backend({ grant_type: oobGrant, mfa_token: mfaTokenValue, oob_code: oobCode, binding_code: wrong }), 403, 'invalid_grant', 'Invalid binding_code.');
    await assertMfaTokens(await backend({ grant_type: oobGrant, mfa_token: mfaTokenValue, oob_code: oobCode, binding_code: bindingCode }));
    assertError(await backend({ grant_type: oobGrant, mfa_token: mfaTokenValue, oob_code: oobCode, binding_code: bindingCode }), 403, 'invalid_grant');
    assertError(await backend({ grant_type: oobGrant, mfa_token: mfaTokenValue }), 400, 'invalid_request');
  });

  test('mfa-oob confirms an email enrolment; another user\'s challenge proves nothing', async () => {
    const emailId = await put('ed', 'email', false, { email: emailOf('ed') });
    const enrolment = await createOobChallenge({ user_id: userIds.get('ed')!, authenticator_id: emailId, client_id: 'mfa-backend', channel: 'email', enrollment: true });
    await assertMfaTokens(await backend({ grant_type: oobGrant, mfa_token: await mfaToken('ed'), oob_code: enrolment.oobCode, binding_code: enrolment.bindingCode }));
    assert.equal((await activeOf('ed')).get(emailId), true);
    // Bea answers ed's challenge with ed's code: still not bea's second factor.
    await put('bea', 'email', true, { email: emailOf('bea') });
    const eds = await createOobChallenge({ user_id: userIds.get('ed')!, authenticator_id: emailId, client_id: 'mfa-backend', channel: 'email', enrollment: false });
    assertError(await backend({ grant_type: oobGrant, mfa_token: await mfaToken('bea'), oob_code: eds.oobCode, binding_code: eds.bindingCode }), 403, 'invalid_grant');
    // …and it did not spend ed's challenge: ed still answers it.
    await assertMfaTokens(await backend({ grant_type: oobGrant, mfa_token: await mfaToken('ed'), oob_code: eds.oobCode, binding_code: eds.bindingCode }));
  });

  test('mfa-oob exchanges are limited to 12 a minute per mfa_token (reference §16.3)', async () => {
    const smsId = await put('bea', 'sms', true, { phone_number: '+15555550102' });
    const mfaTokenValue = await mfaToken('bea');
    const { oobCode } = await createOobChallenge({ user_id: userIds.get('bea')!, authenticator_id: smsId, client_id: 'mfa-backend', channel: 'sms', enrollment: false });
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) statuses.push((await backend({ grant_type: oobGrant, mfa_token: mfaTokenValue, oob_code: oobCode })).status);
    assert.deepEqual(statuses, [...Array(12).fill(403), 429]);
  });

  test('the MFA API audience: tokens for <issuer>mfa/ with its scopes, 600 s, no refresh token', async () => {
    const { seed } = await enrolOtp('ed');
    const first = await firstFactor('ed', { audience: `${issuer()}mfa/`, scope: 'openid offline_access enroll read:authenticators remove:authenticators' });
    const tokens = await assertMfaTokens(await backend({ grant_type: otpGrant, mfa_token: first.mfa_token!, otp: nowCode(seed) }));
    assert.equal(tokens.expires_in, 600);
    assert.equal(tokens.refresh_token, undefined);
    assert.equal(tokens.scope, 'openid enroll read:authenticators remove:authenticators');
    const at = decodeJwt(tokens.access_token!);
    assert.deepEqual(at.aud, [`${issuer()}mfa/`, `${issuer()}userinfo`]);
    assert.equal(at.exp! - at.iat!, 600);
    // Without scope: every scope of the MFA API (reference §3.4, as for any API), carried by the mfa_token.
    const all = await firstFactor('ed', { audience: `${issuer()}mfa/`, scope: '' });
    const claims = await readMfaToken(all.mfa_token, { issuer: issuer(), clientId: 'mfa-backend' });
    assert.deepEqual(claims.scope, ['enroll', 'read:authenticators', 'remove:authenticators']);
    assert.equal(claims.audience, `${issuer()}mfa/`);
  });

  test('malformed input at the MFA grants never gives a 5xx', async () => {
    const { seed } = await enrolOtp('prop');
    const valid = await mfaToken('prop');
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(valid, nowCode(seed), '', '%00', 'Fe26.2**x', '__proto__', 'a'.repeat(3000)));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(otpGrant, oobGrant, recoveryGrant),
        fc.record({ mfa_token: text, otp: text, oob_code: text, binding_code: text, recovery_code: text }, { requiredKeys: [] }),
        fc.constantFrom('mfa-backend', 'mfa-native', 'nobody'),
        async (grantType, params, clientId) => {
          const res = await token({ grant_type: grantType, client_id: clientId, ...(clientId === 'mfa-backend' ? { client_secret: secret } : {}), ...params });
          assert.ok(res.status >= 200 && res.status < 500, `${res.status} ${res.body}`);
          if (res.status !== 200) assert.equal(typeof body(res).error, 'string');
        },
      ),
      { numRuns: 60 },
    );
  });
});
