import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { ResourceServerRecord } from '../../../../shared/tenant/model.ts';
import { issueAccessToken, type AccessTokenInput } from '../../../../shared/tokens/access-token.ts';
import { loadKeyset } from '../../../../shared/tokens/keyset.ts';
import { useKeysetFile } from '../../../support/keyset-file.ts';

const issuer = 'https://auth.example.test/';
const now = Date.UTC(2026, 0, 1, 12, 0, 0);
const api = (overrides: Partial<ResourceServerRecord> = {}): ResourceServerRecord => ({
  identifier: 'https://api.example.test/',
  name: 'API',
  signing_alg: 'RS256',
  token_lifetime: 3600,
  scopes: ['read:a', 'write:a'],
  enforce_policies: false,
  token_dialect: 'access_token',
  allow_offline_access: false,
  ...overrides,
});

describe('issueAccessToken', () => {
  let jwks: ReturnType<typeof createLocalJWKSet>;
  before(async () => {
    const { doc } = await useKeysetFile(issuer);
    jwks = createLocalJWKSet({ keys: loadKeyset(doc).keys.map((k) => k.publicJwk) });
  });

  async function issue(input: Partial<AccessTokenInput> & { api: ResourceServerRecord }): Promise<{ payload: JWTPayload; typ: string | undefined; alg: string | undefined; expiresIn: number }> {
    const { token, expiresIn } = await issueAccessToken({
      issuer,
      subject: 'client-1@clients',
      clientId: 'client-1',
      scopes: ['read:a'],
      gty: 'client-credentials',
      now,
      ...input,
    });
    const { payload } = await jwtVerify(token, jwks, { issuer, audience: input.api.identifier, currentDate: new Date(now) });
    const header = decodeProtectedHeader(token);
    return { payload, typ: header.typ, alg: header.alg, expiresIn };
  }

  test("Auth0's dialect: typ JWT with azp and gty, and neither client_id nor jti", async () => {
    const { payload, typ } = await issue({ api: api() });
    assert.equal(typ, 'JWT');
    assert.deepEqual(payload, {
      iss: issuer,
      sub: 'client-1@clients',
      aud: 'https://api.example.test/',
      iat: now / 1000,
      exp: now / 1000 + 3600,
      scope: 'read:a',
      gty: 'client-credentials',
      azp: 'client-1',
    });
  });

  test('RFC 9068 dialect: typ at+jwt with client_id and jti, and neither azp nor gty', async () => {
    const { payload, typ } = await issue({ api: api({ token_dialect: 'rfc9068_profile' }) });
    assert.equal(typ, 'at+jwt');
    assert.equal(payload.client_id, 'client-1');
    assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
    assert.equal('azp' in payload, false);
    assert.equal('gty' in payload, false);
    assert.equal(payload.sub, 'client-1@clients');
    assert.equal(payload.exp, now / 1000 + 3600);
  });

  test('each RFC 9068 token has its own jti', async () => {
    const [a, b] = await Promise.all([issue({ api: api({ token_dialect: 'rfc9068_profile' }) }), issue({ api: api({ token_dialect: 'rfc9068_profile' }) })]);
    assert.notEqual(a.payload.jti, b.payload.jti);
  });

  test('expires_in and exp follow the API token lifetime', async () => {
    const { payload, expiresIn } = await issue({ api: api({ token_lifetime: 120 }) });
    assert.equal(expiresIn, 120);
    assert.equal(Number(payload.exp) - Number(payload.iat), 120);
  });

  test('no scope claim when no scope was granted', async () => {
    const { payload } = await issue({ api: api(), scopes: [] });
    assert.equal('scope' in payload, false);
  });

  test('the token is signed with the API signing algorithm', async () => {
    for (const alg of ['RS256', 'ES256', 'PS256'] as const) assert.equal((await issue({ api: api({ signing_alg: alg }) })).alg, alg);
  });

  const permissionCases: [ResourceServerRecord['token_dialect'], boolean, boolean][] = [
    ['access_token', false, false],
    ['access_token', true, false],
    ['access_token_authz', false, false],
    ['access_token_authz', true, true],
    ['rfc9068_profile', true, false],
    ['rfc9068_profile_authz', false, false],
    ['rfc9068_profile_authz', true, true],
  ];
  for (const [dialect, enforce, expected] of permissionCases) {
    test(`permissions ${expected ? 'present' : 'absent'} for ${dialect} with enforce_policies ${enforce}`, async () => {
      const { payload } = await issue({ api: api({ token_dialect: dialect, enforce_policies: enforce }), scopes: ['read:a', 'write:a'] });
      if (expected) assert.deepEqual(payload.permissions, ['read:a', 'write:a']);
      else assert.equal('permissions' in payload, false);
    });
  }

  test('an empty grant under RBAC gives an empty permissions list', async () => {
    const { payload } = await issue({ api: api({ token_dialect: 'access_token_authz', enforce_policies: true }), scopes: [] });
    assert.deepEqual(payload.permissions, []);
  });

  test('a certificate thumbprint becomes cnf x5t#S256 (RFC 8705 §3.1)', async () => {
    const { payload } = await issue({ api: api(), x5tS256: 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' });
    assert.deepEqual(payload.cnf, { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' });
  });

  test('no cnf without a thumbprint', async () => {
    assert.equal('cnf' in (await issue({ api: api() })).payload, false);
  });

  test('no gty when the grant has none', async () => {
    assert.equal('gty' in (await issue({ api: api(), gty: undefined })).payload, false);
  });
});
