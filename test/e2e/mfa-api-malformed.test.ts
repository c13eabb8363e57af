import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { form, formHeaders, jsonOf, rawRequest } from '../support/http-client.ts';
import { mfaForEveryLogin, type MfaServer, startMfaServer } from '../support/mfa-server.ts';

/**
 * Malformed input at the MFA API (reference §8) never yields a 5xx (DESIGN.md): a fast-check
 * property over methods, paths, Authorization headers (none, garbage, a real mfa_token, the
 * same token tampered, a JWT-shaped token), content types and bodies of arbitrary JSON or
 * text. Every refusal is a JSON body with a string `error`.
 */
const realmGrant = 'http://auth0.com/oauth/grant-type/password-realm';
const secret = 'fuzz-backend-secret-0123456789abcdefghij';
const connection = 'Users';
const user = { email: 'fuzz@mfa-fuzz.test', password: 'Fuzz-Passw0rd-Mfa!' };

const tenant = {
  tenant: { friendly_name: 'MFA fuzz', rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 } } },
  ...mfaForEveryLogin,
  clients: [
    {
      name: 'backend',
      client_id: 'backend',
      app_type: 'regular_web',
      client_secret: secret,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: [realmGrant, 'http://auth0.com/oauth/grant-type/mfa-otp', 'http://auth0.com/oauth/grant-type/mfa-oob'],
    },
  ],
  connections: [{ name: connection, strategy: 'auth0', enabled_clients: ['backend'] }],
  users: [{ connection, email: user.email, password: user.password, email_verified: true }],
};

const fields = ['authenticator_types', 'oob_channels', 'phone_number', 'email', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'mfa_token', 'challenge_type', 'authenticator_id', 'oob_channel', '__proto__', 'constructor'];

describe('the MFA API with malformed input', () => {
  let mfa: MfaServer;
  let mfaToken: string;

  before(async () => {
    mfa = await startMfaServer(tenant);
    const res = await rawRequest(`${mfa.server.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: formHeaders,
      body: form({ grant_type: realmGrant, client_id: 'backend', client_secret: secret, realm: connection, username: user.email, password: user.password }),
    });
    assert.equal(res.status, 403, res.body);
    mfaToken = jsonOf(res).mfa_token as string;
  });
  after(() => mfa?.stop());

  test('never a 5xx, always an error in the OAuth shape', async () => {
    const tampered = (token: string, at: number) => {
      const i = at % token.length;
      return `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
    };
    const authorization = fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 40 }),
      fc.string({ maxLength: 200 }).map((s) => `Bearer ${s}`),
      fc.constant('real').map(() => `Bearer ${mfaToken}`),
      fc.nat().map((n) => `Bearer ${tampered(mfaToken, n)}`),
      fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map(([a, b, c]) => `Bearer ${a}.${b}.${c}`),
    );
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('otp', 'oob', 'sms', 'email', 'voice', 'auth0', '+14155550100', 'otp oob', ['otp'], ['oob'], ['sms'], ['email']), fc.constant('token').map(() => mfaToken));
    const jsonBody = fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 6 }).map((o) => JSON.stringify(o));
    const body = fc.oneof(jsonBody, fc.string({ maxLength: 300 }), fc.jsonValue().map((v) => JSON.stringify(v)), fc.dictionary(fc.constantFrom(...fields), fc.string({ maxLength: 30 })).map((o) => form(o)));
    const contentType = fc.constantFrom(undefined, 'application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=utf-8');
    const target = fc.oneof(
      fc.constantFrom(['POST', '/mfa/associate'], ['POST', '/mfa/challenge'], ['GET', '/mfa/authenticators'], ['PUT', '/mfa/associate'], ['OPTIONS', '/mfa/challenge']),
      fc.string({ maxLength: 40 }).map((s) => ['DELETE', `/mfa/authenticators/${encodeURIComponent(s) || 'x'}`]),
      fc.constantFrom('totp|dev_AAAA', 'sms%7Cdev_', '%7C', '%25', 'recovery-code|dev_' + 'x'.repeat(80)).map((s) => ['DELETE', `/mfa/authenticators/${s.replace('|', '%7C')}`]),
    );

    await fc.assert(
      fc.asyncProperty(target, authorization, contentType, body, async ([method, path], auth, type, payload) => {
        const headers: Record<string, string> = {};
        if (auth !== undefined) headers.authorization = auth;
        if (type !== undefined) headers['content-type'] = type;
        const res = await rawRequest(`${mfa.server.baseUrl}${path}`, { method, headers, body: method === 'POST' || method === 'PUT' ? payload : undefined });
        assert.ok(res.status < 500, `${method} ${path} → ${res.status} ${res.body}`);
        if (res.status >= 400) assert.equal(typeof jsonOf(res).error, 'string', res.body);
      }),
      { numRuns: 200 },
    );
    assert.ok(!mfa.server.output().includes('server_error'), 'no internal errors were logged');
  });
});
