import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { OAuthError } from '../../../../shared/errors.ts';
import { mfaResourceServer } from '../../../../shared/mfa/mfa-api.ts';
import { emptySettings } from '../../../../shared/store/tenant-config.ts';
import type { UserRecord } from '../../../../shared/store/users.ts';
import { clientDefaults, type ClientRecord, type TenantConfig } from '../../../../shared/tenant/model.ts';
import { loadKeyset } from '../../../../shared/tokens/keyset.ts';
import { grantUserScopes, issueUserTokens, userApi, type UserTokenRequest } from '../../../../shared/tokens/user-tokens.ts';
import { useKeysetFile } from '../../../support/keyset-file.ts';

/** `amr` in the user tokens, and the MFA API (`<issuer>mfa/`) as the virtual API every tenant has (reference §8, §15.1). */
const issuer = 'https://auth.example.test/';
const mfaApi = `${issuer}mfa/`;
const now = Date.UTC(2026, 0, 1, 12, 0, 0);
const client: ClientRecord = {
  ...clientDefaults,
  client_id: 'native',
  name: 'Native',
  is_first_party: true,
  grant_types: ['password'],
  token_endpoint_auth_method: 'none',
  require_proof_of_possession: false,
  is_token_endpoint_ip_header_trusted: false,
  extra: {},
};
const tenant: TenantConfig = {
  settings: emptySettings,
  clients: new Map([[client.client_id, client]]),
  resourceServers: new Map(),
  clientGrants: new Map(),
  connections: new Map(),
  customDomains: new Map(),
};
const user: UserRecord = {
  user_id: 'auth0|0123456789abcdef01234567',
  connection: 'Users',
  email: 'jane@example.com',
  email_verified: true,
  password_hash: 'x',
  user_metadata: {},
  app_metadata: {},
  created_at: '2025-12-01T08:00:00.000Z',
  updated_at: '2025-12-01T08:00:00.000Z',
};

describe('the MFA API audience', () => {
  test('known only when the caller gives the issuer; its own scopes; never offline_access', () => {
    assert.throws(() => grantUserScopes(tenant, ['openid'], mfaApi), (e: unknown) => e instanceof OAuthError && e.error === 'access_denied');
    assert.deepEqual(grantUserScopes(tenant, ['openid', 'offline_access', 'enroll', 'read:authenticators', 'read:other'], mfaApi, issuer), ['openid', 'enroll', 'read:authenticators']);
    assert.equal(userApi(tenant, mfaApi, issuer)?.token_lifetime, 600);
    assert.equal(userApi(tenant, mfaApi, undefined), undefined);
    assert.equal(userApi(tenant, 'https://other.example.test/mfa/', issuer), undefined, "another issuer's MFA API is not ours");
  });

  test('its resource server: RS256, 600 s, enroll / read:authenticators / remove:authenticators', () => {
    assert.deepEqual(mfaResourceServer(issuer), {
      identifier: mfaApi,
      name: 'MFA API',
      signing_alg: 'RS256',
      token_lifetime: 600,
      scopes: ['enroll', 'read:authenticators', 'remove:authenticators'],
      enforce_policies: false,
      token_dialect: 'access_token',
      allow_offline_access: false,
    });
  });
});

describe('issueUserTokens with amr', () => {
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
    scopes: ['openid', 'enroll'],
    audience: mfaApi,
    authTime: now / 1000 - 30,
    include: { accessToken: true, idToken: true, refreshToken: false },
    certificate: undefined,
    now,
    ...overrides,
  });

  test('amr ["mfa"] in the ID token and the access token; an MFA-API token lives 600 s', async () => {
    const tokens = await issueUserTokens(request({ amr: ['mfa'] }));
    const { payload: at } = await jwtVerify(tokens.access_token!, jwks, { issuer, audience: mfaApi, currentDate: new Date(now) });
    assert.deepEqual(at.amr, ['mfa']);
    assert.equal(at.exp! - at.iat!, 600);
    assert.equal(tokens.expires_in, 600);
    const { payload: id } = await jwtVerify(tokens.id_token!, jwks, { issuer, audience: 'native', currentDate: new Date(now) });
    assert.deepEqual(id.amr, ['mfa']);
  });

  test('no amr claim when the login had none', async () => {
    const tokens = await issueUserTokens(request({}));
    assert.equal('amr' in decodeJwt(tokens.access_token!), false);
    assert.equal('amr' in decodeJwt(tokens.id_token!), false);
  });
});
