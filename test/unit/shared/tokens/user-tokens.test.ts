import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { OAuthError } from '../../../../shared/errors.ts';
import { emptySettings } from '../../../../shared/store/tenant-config.ts';
import type { UserRecord } from '../../../../shared/store/users.ts';
import { clientDefaults, type ClientRecord, type ResourceServerRecord, type TenantConfig } from '../../../../shared/tenant/model.ts';
import { keyset, loadKeyset } from '../../../../shared/tokens/keyset.ts';
import { decryptOpaqueToken } from '../../../../shared/tokens/opaque-access-token.ts';
import { grantUserScopes, issueUserTokens, type UserTokenRequest } from '../../../../shared/tokens/user-tokens.ts';
import { useKeysetFile } from '../../../support/keyset-file.ts';

const issuer = 'https://auth.example.test/';
const now = Date.UTC(2026, 0, 1, 12, 0, 0);
const api = (identifier: string, overrides: Partial<ResourceServerRecord> = {}): ResourceServerRecord => ({
  identifier,
  name: identifier,
  signing_alg: 'RS256',
  token_lifetime: 3600,
  scopes: ['read:a', 'write:a'],
  enforce_policies: false,
  token_dialect: 'access_token',
  allow_offline_access: true,
  ...overrides,
});
const client: ClientRecord = {
  ...clientDefaults,
  client_id: 'spa-client',
  name: 'SPA',
  is_first_party: true,
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'none',
  require_proof_of_possession: false,
  is_token_endpoint_ip_header_trusted: false,
  extra: {},
};
const tenant: TenantConfig = {
  settings: emptySettings,
  clients: new Map([[client.client_id, client]]),
  resourceServers: new Map([
    ['https://api.example.test/', api('https://api.example.test/')],
    ['https://online.example.test/', api('https://online.example.test/', { allow_offline_access: false })],
    ['https://bound.example.test/', api('https://bound.example.test/', { proof_of_possession: { mechanism: 'mtls', required: true } })],
  ]),
  clientGrants: new Map(),
  connections: new Map(),
  customDomains: new Map(),
};
const user: UserRecord = {
  user_id: 'auth0|0123456789abcdef01234567',
  connection: 'Username-Password-Authentication',
  email: 'jane@example.com',
  email_verified: false,
  password_hash: 'x',
  user_metadata: {},
  app_metadata: {},
  created_at: '2025-12-01T08:00:00.000Z',
  updated_at: '2025-12-01T08:00:00.000Z',
};

describe('grantUserScopes', () => {
  test('no scope means openid (Auth0 §2.1)', () => {
    assert.deepEqual(grantUserScopes(tenant, undefined, undefined), ['openid']);
    assert.deepEqual(grantUserScopes(tenant, [], 'https://api.example.test/'), ['openid']);
  });

  test('OIDC scopes pass; API scopes only when the API defines them, others are dropped silently', () => {
    assert.deepEqual(
      grantUserScopes(tenant, ['openid', 'profile', 'read:a', 'delete:everything', 'email'], 'https://api.example.test/'),
      ['openid', 'profile', 'read:a', 'email'],
    );
    assert.deepEqual(grantUserScopes(tenant, ['openid', 'read:a'], undefined), ['openid'], 'no audience: no API scope');
  });

  test('offline_access only when the API allows offline access, or without audience', () => {
    assert.deepEqual(grantUserScopes(tenant, ['openid', 'offline_access'], 'https://api.example.test/'), ['openid', 'offline_access']);
    assert.deepEqual(grantUserScopes(tenant, ['openid', 'offline_access'], 'https://online.example.test/'), ['openid']);
    assert.deepEqual(grantUserScopes(tenant, ['openid', 'offline_access'], undefined), ['openid', 'offline_access']);
  });

  test('an unknown audience is 403 access_denied with Auth0\'s text', () => {
    assert.throws(
      () => grantUserScopes(tenant, ['openid'], 'https://nowhere.example/'),
      (error: unknown) =>
        error instanceof OAuthError &&
        error.statusCode === 403 &&
        error.error === 'access_denied' &&
        error.description === 'Service not enabled within domain: https://nowhere.example/',
    );
  });
});

describe('issueUserTokens (no refresh token: no table needed)', () => {
  let jwks: ReturnType<typeof createLocalJWKSet>;
  before(async () => {
    const { doc } = await useKeysetFile(issuer);
    jwks = createLocalJWKSet({ keys: loadKeyset(doc).keys.map((k) => k.publicJwk) });
  });
  const request = (overrides: Partial<UserTokenRequest>): UserTokenRequest => ({
    tenant,
    issuer,
    client,
    user,
    scopes: ['openid', 'profile'],
    audience: 'https://api.example.test/',
    authTime: now / 1000 - 30,
    include: { accessToken: true, idToken: true, refreshToken: false },
    certificate: undefined,
    now,
    ...overrides,
  });

  test('with an API audience and openid: a JWT whose aud is [api, <issuer>userinfo], sub the user, azp, scope, gty', async () => {
    const tokens = await issueUserTokens(request({ gty: 'password', scopes: ['openid', 'read:a'] }));
    const { payload } = await jwtVerify(tokens.access_token!, jwks, { issuer, audience: `${issuer}userinfo`, currentDate: new Date(now) });
    assert.deepEqual(payload.aud, ['https://api.example.test/', `${issuer}userinfo`]);
    assert.equal(payload.sub, user.user_id);
    assert.equal(payload.azp, 'spa-client');
    assert.equal(payload.scope, 'openid read:a');
    assert.equal(payload.gty, 'password');
    assert.equal(tokens.expires_in, 3600);
    assert.equal(tokens.scope, 'openid read:a');
    assert.equal(tokens.token_type, 'Bearer');
  });

  test('with an API audience and no openid: aud is the API as a string, and no ID token', async () => {
    const tokens = await issueUserTokens(request({ scopes: ['read:a'] }));
    assert.equal(decodeJwt(tokens.access_token!).aud, 'https://api.example.test/');
    assert.equal('gty' in decodeJwt(tokens.access_token!), false, 'gty only when the grant has one');
    assert.equal(tokens.id_token, undefined);
  });

  test('without audience: an opaque token for /userinfo, 86,400 s (7,200 s for the implicit flow)', async () => {
    const tokens = await issueUserTokens(request({ audience: undefined }));
    assert.equal(tokens.access_token!.split('.').length, 5);
    assert.equal(tokens.expires_in, 86_400);
    const claims = await decryptOpaqueToken(tokens.access_token!, await keyset());
    assert.equal(claims?.sub, user.user_id);
    assert.equal(claims?.client_id, 'spa-client');
    assert.equal(claims?.scope, 'openid profile');
    assert.equal(claims?.exp, now / 1000 + 86_400);
    assert.equal((await issueUserTokens(request({ audience: undefined, implicit: true }))).expires_in, 7_200);
  });

  test('the ID token: nonce, sid, auth_time passed through; at_hash only when asked for', async () => {
    const tokens = await issueUserTokens(request({ nonce: 'abc', sid: 'sid-1' }));
    const id = decodeJwt(tokens.id_token!);
    assert.equal(id.nonce, 'abc');
    assert.equal(id.sid, 'sid-1');
    assert.equal(id.auth_time, now / 1000 - 30);
    assert.equal(id.aud, 'spa-client');
    assert.equal(id.nickname, 'jane');
    assert.equal('at_hash' in id, false, 'not from the token endpoint');
    const front = decodeJwt((await issueUserTokens(request({ atHash: true }))).id_token!);
    assert.equal(typeof front.at_hash, 'string');
  });

  test('offline_access without include.refreshToken, or for an API without offline access, gives no refresh token', async () => {
    const tokens = await issueUserTokens(request({ scopes: ['openid', 'offline_access'] }));
    assert.equal(tokens.refresh_token, undefined);
    const online = await issueUserTokens(
      request({ audience: 'https://online.example.test/', scopes: ['openid', 'offline_access'], include: { accessToken: true, idToken: true, refreshToken: true } }),
    );
    assert.equal(online.refresh_token, undefined);
  });
});

describe('issueUserTokens binds access tokens by the proof-of-possession policies (RFC 8705 §3), for every user grant', () => {
  before(async () => {
    await useKeysetFile(issuer);
  });
  const certificate = { thumbprint: 'x5t-thumbprint', subjectDn: 'CN=client', presented: { pem: '', source: 'gateway' as const, caVerified: true } };
  const base = (overrides: Partial<UserTokenRequest>): UserTokenRequest => ({
    tenant, issuer, client, user, scopes: ['openid'], audience: 'https://bound.example.test/', authTime: now / 1000 - 30,
    include: { accessToken: true, idToken: true, refreshToken: false }, certificate: undefined, now, ...overrides,
  });

  test('an API that requires proof of possession gets nothing without a certificate, and a bound token with one', async () => {
    await assert.rejects(issueUserTokens(base({})), (e: unknown) => e instanceof OAuthError && e.error === 'invalid_request');
    const tokens = await issueUserTokens(base({ certificate }));
    assert.deepEqual(decodeJwt(tokens.access_token!).cnf, { 'x5t#S256': 'x5t-thumbprint' });
  });

  test('a client that requires proof of possession gets nothing without a certificate, even for the /userinfo token', async () => {
    const strict = { ...client, require_proof_of_possession: true };
    await assert.rejects(issueUserTokens(base({ client: strict, audience: undefined })), (e: unknown) => e instanceof OAuthError && e.error === 'invalid_request');
    const tokens = await issueUserTokens(base({ client: strict, audience: undefined, certificate }));
    assert.ok(tokens.access_token);
  });
});
