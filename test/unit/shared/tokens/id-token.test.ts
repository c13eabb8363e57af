import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { UserRecord } from '../../../../shared/store/users.ts';
import { clientDefaults, type ClientRecord } from '../../../../shared/tenant/model.ts';
import { issueIdToken, leftHalfHash, type IdTokenInput } from '../../../../shared/tokens/id-token.ts';
import { loadKeyset } from '../../../../shared/tokens/keyset.ts';
import { useKeysetFile } from '../../../support/keyset-file.ts';

const issuer = 'https://auth.example.test/';
const now = Date.UTC(2026, 0, 1, 12, 0, 0);
const client = (overrides: Partial<ClientRecord> = {}): ClientRecord => ({
  ...clientDefaults,
  client_id: 'spa-client',
  name: 'SPA',
  is_first_party: true,
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'none',
  require_proof_of_possession: false,
  is_token_endpoint_ip_header_trusted: false,
  extra: {},
  ...overrides,
});
const user: UserRecord = {
  user_id: 'auth0|0123456789abcdef01234567',
  connection: 'Username-Password-Authentication',
  email: 'Jane.Doe@example.com',
  email_verified: true,
  password_hash: 'never-in-a-token',
  user_metadata: { plan: 'pro' },
  app_metadata: { role: 'admin' },
  given_name: 'Jane',
  family_name: 'Doe',
  phone_number: '+15555550100',
  created_at: '2025-12-01T08:00:00.000Z',
  updated_at: '2025-12-24T09:30:00.000Z',
};

describe('issueIdToken', () => {
  let jwks: ReturnType<typeof createLocalJWKSet>;
  before(async () => {
    const { doc } = await useKeysetFile(issuer);
    jwks = createLocalJWKSet({ keys: loadKeyset(doc).keys.map((k) => k.publicJwk) });
  });

  async function issue(input: Partial<IdTokenInput> = {}): Promise<JWTPayload> {
    const token = await issueIdToken({ issuer, client: client(), user, scopes: ['openid'], authTime: now / 1000 - 60, now, ...input });
    const aud = (input.client ?? client()).client_id;
    return (await jwtVerify(token, jwks, { issuer, audience: aud, currentDate: new Date(now) })).payload;
  }

  test("OIDC Core §2 claims: aud is the client id as a string, no azp, the client's lifetime, the session's auth_time", async () => {
    const payload = await issue({ client: client({ jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 600 } }) });
    assert.deepEqual(payload, {
      iss: issuer,
      sub: user.user_id,
      aud: 'spa-client',
      iat: now / 1000,
      exp: now / 1000 + 600,
      auth_time: now / 1000 - 60,
    });
  });

  test('nonce and sid when given, and only then', async () => {
    const payload = await issue({ nonce: 'n-0S6_WzA2Mj', sid: 'session-1' });
    assert.equal(payload.nonce, 'n-0S6_WzA2Mj');
    assert.equal(payload.sid, 'session-1');
    const bare = await issue();
    assert.equal('nonce' in bare, false, 'a refresh passes no nonce, and the token then has none');
    assert.equal('sid' in bare, false);
  });

  test('profile claims by scope: profile → names, picture, updated_at; email → email and email_verified; phone → phone_number', async () => {
    const profile = await issue({ scopes: ['openid', 'profile'] });
    assert.equal(profile.name, 'Jane.Doe@example.com', "Auth0's default name is the email");
    assert.equal(profile.nickname, 'Jane.Doe', "Auth0's default nickname is the email's local part");
    assert.equal(profile.given_name, 'Jane');
    assert.equal(profile.family_name, 'Doe');
    assert.equal(profile.updated_at, '2025-12-24T09:30:00.000Z');
    assert.match(String(profile.picture), /^https:\/\/s\.gravatar\.com\/avatar\/[0-9a-f]{32}\?s=480&r=pg&d=/);
    assert.equal('email' in profile, false);
    const email = await issue({ scopes: ['openid', 'email'] });
    assert.equal(email.email, 'Jane.Doe@example.com');
    assert.equal(email.email_verified, true);
    assert.equal('name' in email, false);
    assert.equal('phone_number' in email, false);
    assert.equal((await issue({ scopes: ['openid', 'phone'] })).phone_number, '+15555550100');
  });

  test('never metadata or the password hash, whatever the scopes', async () => {
    const payload = await issue({ scopes: ['openid', 'profile', 'email', 'phone', 'address', 'offline_access'] });
    const text = JSON.stringify(payload);
    for (const secret of ['never-in-a-token', 'user_metadata', 'app_metadata', 'admin', 'password']) assert.equal(text.includes(secret), false, secret);
  });

  test('stored profile values win over the defaults', async () => {
    const payload = await issue({ scopes: ['openid', 'profile'], user: { ...user, name: 'Jane Q. Doe', nickname: 'jq', picture: 'https://cdn.example/jq.png' } });
    assert.equal(payload.name, 'Jane Q. Doe');
    assert.equal(payload.nickname, 'jq');
    assert.equal(payload.picture, 'https://cdn.example/jq.png');
  });

  test('at_hash and c_hash: the vectors of OIDC Core §A.3 and §A.4 (RS256)', () => {
    assert.equal(leftHalfHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256'), '77QmUPtjPfzWtF2AnpK9RQ');
    assert.equal(leftHalfHash('Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk', 'RS256'), 'LDktKdoQak3Pk0cnXxCltA');
  });

  test('at_hash only when an access token travels with it, c_hash only with a code', async () => {
    const both = await issue({ accessToken: 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', code: 'Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk' });
    assert.equal(both.at_hash, '77QmUPtjPfzWtF2AnpK9RQ');
    assert.equal(both.c_hash, 'LDktKdoQak3Pk0cnXxCltA');
    const none = await issue();
    assert.equal('at_hash' in none, false);
    assert.equal('c_hash' in none, false);
  });

  test("signed with the client's jwt_configuration.alg", async () => {
    for (const alg of ['RS256', 'PS256', 'ES256'] as const) {
      const c = client({ jwt_configuration: { alg, lifetime_in_seconds: 36_000 } });
      const token = await issueIdToken({ issuer, client: c, user, scopes: ['openid'], authTime: now / 1000, now });
      assert.equal(decodeProtectedHeader(token).alg, alg);
      await jwtVerify(token, jwks, { issuer, audience: 'spa-client', currentDate: new Date(now), algorithms: [alg] });
    }
  });
});
