import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AuthClient,
  isMfaRequiredError,
  MfaChallengeError,
  MfaDeleteAuthenticatorError,
  MfaEnrollmentError,
  MfaListAuthenticatorsError,
  MfaVerifyError,
  TokenByPasswordError,
  type TokenResponse,
} from '@auth0/auth0-auth-js';
import { decodeJwt } from 'jose';
import { totpCode, totpStep } from '../../shared/mfa/totp.ts';
import { form, formHeaders, jsonOf, rawRequest } from '../support/http-client.ts';
import { mfaForEveryLogin } from '../support/mfa-server.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * The MFA API (reference §8) and the MFA grants (§3.8) driven through Auth0's own SDK,
 * `@auth0/auth0-auth-js` (what auth0-spa-js uses for `auth0.mfa`): its `AuthClient`
 * logs in with a password and meets mfa_required, and its `MfaClient` enrols, lists,
 * challenges, verifies (mfa-otp, mfa-oob, mfa-recovery-code) and deletes against the real
 * local server. node-auth0 v7 has no MFA calls, hence this SDK.
 *
 * The SDK builds every URL as `https://<domain>` and validates discovery and the ID token's
 * `iss` against it, so the server runs with an https issuer on a made-up host, and a
 * `customFetch` sends each request unchanged (method, headers, body) to the local port.
 *
 * SDK limitations met (not Portcullis behaviour), worked around or noted:
 * - `getTokenByPassword` always sends `grant_type=password` (realm only as a parameter),
 *   never the password-realm grant; the tenant's Default Directory is the connection, so the
 *   SDK login reaches it; the password-realm login (which the SDK cannot send) is raw HTTP.
 * - `listAuthenticators` maps `oob_channels` (plural), while Auth0's list answers
 *   `oob_channel` (reference §8.4), so `oobChannels` is always undefined; the test identifies
 *   OOB authenticators by id prefix and name instead.
 * - `MfaVerifyError.cause` keeps only error / error_description (the raw body is not kept).
 */
const realmGrant = 'http://auth0.com/oauth/grant-type/password-realm';
const mfaOtpGrant = 'http://auth0.com/oauth/grant-type/mfa-otp';
const mfaOobGrant = 'http://auth0.com/oauth/grant-type/mfa-oob';
const mfaRecoveryGrant = 'http://auth0.com/oauth/grant-type/mfa-recovery-code';
const connection = 'Users';
const secret = 'mfa-sdk-secret-0123456789abcdefghijklmn';
const domain = 'mfa-sdk.portcullis.test';
const issuer = `https://${domain}/`;

const users = {
  otp: { email: 'otp@mfa-sdk.test', password: 'Otp-Passw0rd-Sdk!' },
  mail: { email: 'mail@mfa-sdk.test', password: 'Mail-Passw0rd-Sdk!' },
};
type UserName = keyof typeof users;

const tenant = {
  tenant: { friendly_name: 'MFA SDK tests', default_directory: connection, rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 } } },
  ...mfaForEveryLogin,
  clients: [
    {
      name: 'sdk-backend',
      client_id: 'sdk-backend',
      app_type: 'regular_web',
      client_secret: secret,
      // The SDK authenticates with client_secret_post (openid-client ClientSecretPost).
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['password', realmGrant, mfaOtpGrant, mfaOobGrant, mfaRecoveryGrant],
    },
  ],
  connections: [{ name: connection, strategy: 'auth0', enabled_clients: ['sdk-backend'] }],
  users: Object.values(users).map((u) => ({ connection, email: u.email, password: u.password, email_verified: true })),
};

describe('the MFA API through @auth0/auth0-auth-js', () => {
  let server: LocalServer;
  let sdk: AuthClient;
  /** Method and path of every request the SDK made, to check where its calls went. */
  const sent: string[] = [];
  const mfaAudience = `${issuer}mfa/`;

  before(async () => {
    server = await startLocalServer({ tenant, issuer });
    const origin = `https://${domain}`;
    const localFetch: typeof fetch = (input, init) => {
      const href = input instanceof Request ? input.url : input instanceof URL ? input.href : String(input);
      assert.ok(href.startsWith(`${origin}/`), `the SDK called ${href}`);
      const target = `${server.baseUrl}${href.slice(origin.length)}`;
      sent.push(`${init?.method ?? (input instanceof Request ? input.method : 'GET')} ${href.slice(origin.length)}`);
      return input instanceof Request ? fetch(new Request(target, input), init) : fetch(target, init);
    };
    sdk = new AuthClient({ domain, clientId: 'sdk-backend', clientSecret: secret, customFetch: localFetch });
  });
  after(() => server?.stop());

  /** The SDK's password login, which must fail with mfa_required; returns the mfa_token and requirements. */
  async function sdkMfaRequired(name: UserName, extra: { audience?: string; scope?: string } = {}) {
    const error = await sdk
      .getTokenByPassword({ username: users[name].email, password: users[name].password, realm: connection, scope: 'openid', ...extra })
      .then(
        () => assert.fail('expected mfa_required'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof TokenByPasswordError, String(error));
    assert.equal(error.statusCode, 403);
    assert.ok(isMfaRequiredError(error), JSON.stringify(error.cause));
    return { mfaToken: error.cause.mfa_token, requirements: error.cause.mfa_requirements };
  }

  /** Rejection of an SDK call as its error class, with Auth0's status and error code. */
  async function rejection<E extends Error & { statusCode?: number; cause?: { error: string; error_description: string } }>(
    call: Promise<unknown>,
    errorClass: new (...args: never[]) => E,
    status: number,
    error: string,
    description?: string,
  ): Promise<E> {
    const thrown = await call.then(
      () => assert.fail(`expected ${error}`),
      (e: unknown) => e,
    );
    assert.ok(thrown instanceof errorClass, `${(thrown as Error)?.name}: ${(thrown as Error)?.message}`);
    assert.equal(thrown.statusCode, status, JSON.stringify(thrown.cause));
    assert.equal(thrown.cause?.error, error);
    if (description !== undefined) assert.equal(thrown.cause?.error_description, description);
    return thrown;
  }

  async function lastMessage(to: string): Promise<{ channel: string; code?: string }> {
    const lines = (await readFile(join(server.dataDir, 'outbox.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');
    const mine = lines.map((l) => JSON.parse(l) as { to: string; channel: string; code?: string }).filter((m) => m.to === to);
    assert.ok(mine.length > 0, `no message to ${to}`);
    return mine.at(-1)!;
  }

  function assertMfaTokens(tokens: TokenResponse): void {
    assert.equal(typeof tokens.accessToken, 'string');
    // Without an audience the access token is opaque (the /userinfo token), as Auth0's: amr is read from the ID token.
    assert.ok(tokens.idToken, 'an ID token for scope openid');
    assert.deepEqual(decodeJwt(tokens.idToken).amr, ['mfa']);
    // openid-client validated the ID token's iss/aud for the SDK and exposes its claims.
    assert.deepEqual(tokens.claims?.amr, ['mfa']);
    assert.equal(tokens.claims?.aud, 'sdk-backend');
  }

  // TOTP steps only move forward per authenticator (a used step is refused): track the last one.
  let otpSecret = '';
  let lastStep = 0;
  const nextOtp = () => {
    const step = Math.max(totpStep(Date.now()), lastStep + 1);
    lastStep = step;
    return totpCode(otpSecret, step);
  };
  let otpId = '';
  let recoveryCode = '';

  test('password login → mfa_required; enrolAuthenticator otp; verify mfa-otp → amr mfa; a recovery code', async () => {
    const { mfaToken, requirements } = await sdkMfaRequired('otp');
    assert.deepEqual(requirements, { enroll: [{ type: 'otp' }, { type: 'phone' }, { type: 'email' }] });
    assert.deepEqual(sent.slice(-1), ['POST /oauth/token']);

    // The password-realm grant (which the SDK never sends) meets the same answer.
    const realm = await rawRequest(`${server.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: formHeaders,
      body: form({ grant_type: realmGrant, client_id: 'sdk-backend', client_secret: secret, realm: connection, username: users.otp.email, password: users.otp.password, scope: 'openid' }),
    });
    assert.equal(realm.status, 403, realm.body);
    assert.equal(jsonOf(realm).error, 'mfa_required');

    assert.deepEqual(await sdk.mfa.listAuthenticators({ mfaToken }), []);
    await rejection(sdk.mfa.challengeAuthenticator({ mfaToken, challengeType: 'otp' }), MfaChallengeError, 400, 'association_required');

    const enrolment = await sdk.mfa.enrollAuthenticator({ mfaToken, authenticatorTypes: ['otp'] });
    assert.equal(sent.at(-1), 'POST /mfa/associate');
    assert.equal(enrolment.authenticatorType, 'otp');
    assert.ok(enrolment.authenticatorType === 'otp');
    otpSecret = enrolment.secret;
    assert.match(otpSecret, /^[A-Z2-7]{32}$/);
    const barcode = new URL(enrolment.barcodeUri);
    assert.equal(barcode.protocol, 'otpauth:');
    assert.equal(barcode.searchParams.get('secret'), otpSecret);
    assert.equal(barcode.searchParams.get('issuer'), 'MFA SDK tests');
    assert.equal(enrolment.recoveryCodes?.length, 1);
    recoveryCode = enrolment.recoveryCodes![0]!;
    assert.match(recoveryCode, /^[A-Z0-9]{24}$/);

    const pending = await sdk.mfa.listAuthenticators({ mfaToken });
    assert.deepEqual(pending.map((a) => [a.authenticatorType, a.active]), [['recovery-code', false], ['otp', false]]);

    // A wrong code through the SDK: MfaVerifyError carrying Auth0's error.
    const right = totpCode(otpSecret, totpStep(Date.now()));
    const wrong = right === '000000' ? '111111' : '000000';
    await rejection(sdk.mfa.verify({ mfaToken, factorType: 'otp', otp: wrong }), MfaVerifyError, 403, 'invalid_grant', 'Invalid otp_code.');

    const tokens = await sdk.mfa.verify({ mfaToken, factorType: 'otp', otp: nextOtp() });
    assert.equal(sent.at(-1), 'POST /oauth/token');
    assertMfaTokens(tokens);
    assert.equal(tokens.recoveryCode, undefined, 'only the recovery-code grant returns one');

    const confirmed = await sdk.mfa.listAuthenticators({ mfaToken });
    assert.deepEqual(confirmed.map((a) => [a.authenticatorType, a.active]), [['recovery-code', true], ['otp', true]]);
    assert.match(confirmed[0]!.id, /^recovery-code\|dev_/);
    assert.match(confirmed[1]!.id, /^totp\|dev_/);
    otpId = confirmed[1]!.id;
  });

  test('second login → listAuthenticators → challengeAuthenticator otp → verify; refusals through the SDK errors', async () => {
    assert.ok(otpId, 'needs the enrolment above');
    const { mfaToken, requirements } = await sdkMfaRequired('otp');
    assert.deepEqual(requirements, { challenge: [{ type: 'otp' }, { type: 'recovery-code' }] });

    const list = await sdk.mfa.listAuthenticators({ mfaToken });
    assert.deepEqual(list.map((a) => a.id), [list[0]!.id, otpId]);
    assert.deepEqual(list[1], { id: otpId, authenticatorType: 'otp', active: true, name: undefined, oobChannels: undefined, type: undefined });

    const challenge = await sdk.mfa.challengeAuthenticator({ mfaToken, challengeType: 'otp', authenticatorId: otpId });
    assert.equal(sent.at(-1), 'POST /mfa/challenge');
    assert.deepEqual(challenge, { challengeType: 'otp' });
    await rejection(sdk.mfa.challengeAuthenticator({ mfaToken, challengeType: 'oob' }), MfaChallengeError, 400, 'unsupported_challenge_type');
    // Associate with an mfa_token once enrolled: Auth0's refusal.
    await rejection(
      sdk.mfa.enrollAuthenticator({ mfaToken, authenticatorTypes: ['oob'], oobChannels: ['email'], email: users.otp.email }),
      MfaEnrollmentError,
      403,
      'access_denied',
      'User is already enrolled.',
    );
    await rejection(sdk.mfa.listAuthenticators({ mfaToken: 'not-a-token' }), MfaListAuthenticatorsError, 403, 'invalid_grant', 'Malformed mfa_token');
    await rejection(sdk.mfa.verify({ mfaToken: 'not-a-token', factorType: 'otp', otp: '123456' }), MfaVerifyError, 403, 'invalid_grant', 'Malformed mfa_token');

    const tokens = await sdk.mfa.verify({ mfaToken, factorType: 'otp', otp: nextOtp() });
    assertMfaTokens(tokens);
    // The same code again (same step) is a replay.
    const replay = totpCode(otpSecret, lastStep);
    const again = await sdkMfaRequired('otp');
    await rejection(sdk.mfa.verify({ mfaToken: again.mfaToken, factorType: 'otp', otp: replay }), MfaVerifyError, 403, 'invalid_grant', 'Invalid otp_code.');
  });

  test('verify with a recovery code returns a new recovery code; the old one is spent', async () => {
    assert.ok(recoveryCode, 'needs the enrolment above');
    const { mfaToken } = await sdkMfaRequired('otp');
    const tokens = await sdk.mfa.verify({ mfaToken, factorType: 'recovery-code', recoveryCode });
    assertMfaTokens(tokens);
    assert.match(String(tokens.recoveryCode), /^[A-Z0-9]{24}$/);
    assert.notEqual(tokens.recoveryCode, recoveryCode);
    const spent = recoveryCode;
    recoveryCode = tokens.recoveryCode!;

    const again = await sdkMfaRequired('otp');
    await rejection(sdk.mfa.verify({ mfaToken: again.mfaToken, factorType: 'recovery-code', recoveryCode: spent }), MfaVerifyError, 403, 'invalid_grant');
  });

  test('email OOB: enrolAuthenticator sends a code, verify mfa-oob with the binding code; later challengeAuthenticator oob', async () => {
    const { mfaToken } = await sdkMfaRequired('mail');
    const enrolment = await sdk.mfa.enrollAuthenticator({ mfaToken, authenticatorTypes: ['oob'], oobChannels: ['email'], email: users.mail.email });
    assert.ok(enrolment.authenticatorType === 'oob', JSON.stringify(enrolment));
    assert.equal(enrolment.oobChannel, 'email');
    assert.equal(enrolment.bindingMethod, 'prompt');
    assert.equal(typeof enrolment.oobCode, 'string');
    assert.equal(enrolment.recoveryCodes?.length, 1);
    const mail = await lastMessage(users.mail.email);
    assert.equal(mail.channel, 'email');
    assert.match(String(mail.code), /^\d{6}$/);
    assert.ok(!JSON.stringify(enrolment).includes(mail.code!), 'the code travels only by email');

    const oobCode = enrolment.oobCode!;
    await rejection(
      sdk.mfa.verify({ mfaToken, factorType: 'oob', oobCode }),
      MfaVerifyError,
      403,
      'authorization_pending',
      'Authorization pending: please repeat the request in a few seconds.',
    );
    const wrong = mail.code === '000000' ? '111111' : '000000';
    await rejection(sdk.mfa.verify({ mfaToken, factorType: 'oob', oobCode, bindingCode: wrong }), MfaVerifyError, 403, 'invalid_grant', 'Invalid binding_code.');
    const tokens = await sdk.mfa.verify({ mfaToken, factorType: 'oob', oobCode, bindingCode: mail.code! });
    assertMfaTokens(tokens);

    const next = await sdkMfaRequired('mail');
    assert.deepEqual(next.requirements, { challenge: [{ type: 'email' }, { type: 'recovery-code' }] });
    const list = await sdk.mfa.listAuthenticators({ mfaToken: next.mfaToken });
    const email = list.find((a) => a.id.startsWith('email|dev_'));
    assert.ok(email, JSON.stringify(list));
    assert.equal(email.authenticatorType, 'oob');
    assert.equal(email.active, true);
    assert.equal(email.name, users.mail.email);

    const challenge = await sdk.mfa.challengeAuthenticator({ mfaToken: next.mfaToken, challengeType: 'oob', authenticatorId: email.id });
    assert.equal(challenge.challengeType, 'oob');
    assert.equal(challenge.bindingMethod, 'prompt');
    assert.equal(typeof challenge.oobCode, 'string');
    assert.notEqual(challenge.oobCode, oobCode);
    const second = await lastMessage(users.mail.email);
    assert.notEqual(second.code, mail.code);
    // The enrolment's code does not answer the new challenge.
    await rejection(sdk.mfa.verify({ mfaToken: next.mfaToken, factorType: 'oob', oobCode: challenge.oobCode!, bindingCode: mail.code! }), MfaVerifyError, 403, 'invalid_grant', 'Invalid binding_code.');
    assertMfaTokens(await sdk.mfa.verify({ mfaToken: next.mfaToken, factorType: 'oob', oobCode: challenge.oobCode!, bindingCode: second.code! }));
  });

  test('an MFA-API access token (password login with audience <issuer>mfa/ after MFA) enrols, lists and deletes', async () => {
    assert.ok(recoveryCode && otpId, 'needs the TOTP tests above');
    const scope = 'enroll read:authenticators remove:authenticators';
    const asked = await sdkMfaRequired('otp', { audience: mfaAudience, scope });
    const granted = await sdk.mfa.verify({ mfaToken: asked.mfaToken, factorType: 'recovery-code', recoveryCode });
    assert.ok(granted.recoveryCode);
    recoveryCode = granted.recoveryCode;
    const accessToken = granted.accessToken;
    const claims = decodeJwt(accessToken);
    assert.equal(claims.iss, issuer);
    assert.equal(claims.aud, mfaAudience);
    assert.deepEqual(claims.amr, ['mfa']);
    assert.deepEqual(String(claims.scope).split(' ').sort(), scope.split(' '));
    assert.equal(granted.idToken, undefined, 'no openid scope, no ID token');

    // The SDK calls the parameter mfaToken; Auth0 takes this access token in its place.
    const added = await sdk.mfa.enrollAuthenticator({ mfaToken: accessToken, authenticatorTypes: ['oob'], oobChannels: ['email'], email: 'second@mfa-sdk.test' });
    assert.ok(added.authenticatorType === 'oob');
    assert.equal(added.oobChannel, 'email');
    assert.equal(added.recoveryCodes, undefined, 'recovery codes come with the first enrolment only');
    const list = await sdk.mfa.listAuthenticators({ mfaToken: accessToken });
    assert.equal(list.length, 3, JSON.stringify(list));
    const extra = list.find((a) => a.name === 'second@mfa-sdk.test');
    assert.ok(extra && extra.id.startsWith('email|dev_'), JSON.stringify(list));
    assert.equal(extra.active, false);

    // An mfa_token is not enough to delete (Auth0: 401 invalid_token).
    const login = await sdkMfaRequired('otp');
    await rejection(sdk.mfa.deleteAuthenticator({ mfaToken: login.mfaToken, authenticatorId: extra.id }), MfaDeleteAuthenticatorError, 401, 'invalid_token');

    await sdk.mfa.deleteAuthenticator({ mfaToken: accessToken, authenticatorId: extra.id });
    assert.equal(sent.at(-1), `DELETE /mfa/authenticators/${encodeURIComponent(extra.id)}`);
    const after = await sdk.mfa.listAuthenticators({ mfaToken: accessToken });
    assert.deepEqual(after.map((a) => a.id).sort(), list.filter((a) => a.id !== extra.id).map((a) => a.id).sort());
    await rejection(sdk.mfa.deleteAuthenticator({ mfaToken: accessToken, authenticatorId: extra.id }), MfaDeleteAuthenticatorError, 404, 'not_found');

    // Deleting the TOTP authenticator: the next login no longer offers otp, and its codes no longer answer.
    await sdk.mfa.deleteAuthenticator({ mfaToken: accessToken, authenticatorId: otpId });
    const next = await sdkMfaRequired('otp');
    assert.ok(!next.requirements?.challenge?.some((r) => r.type === 'otp'), JSON.stringify(next.requirements));
    assert.ok(!(await sdk.mfa.listAuthenticators({ mfaToken: next.mfaToken })).some((a) => a.id === otpId));
    await rejection(sdk.mfa.verify({ mfaToken: next.mfaToken, factorType: 'otp', otp: nextOtp() }), MfaVerifyError, 403, 'invalid_grant');
  });
});
