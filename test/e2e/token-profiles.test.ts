import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * What a client_credentials token looks like, per API setting (reference §3.3, §15.1): the
 * tenant's default audience, Auth0's own profile against RFC 9068's (`token_dialect`),
 * `permissions` for RBAC dialects, the signing algorithm (`signing_alg`) and the lifetime.
 * Its own server: the tenant here has a default audience, the malformed-input one must not.
 */
const defaultApi = 'https://api.default.test/';
const rfc9068Api = 'https://api.rfc9068.test/';
const rfc9068AuthzApi = 'https://api.rfc9068-authz.test/';
const es256Api = 'https://api.es256.test/';
const ps256Api = 'https://api.ps256.test/';
const secret = 'profiles-secret-0123456789abcdef';
const scopes = [{ value: 'read:a' }, { value: 'write:a' }];

const tenant = {
  tenant: { friendly_name: 'profiles', default_audience: defaultApi },
  resourceServers: [
    { name: 'Default', identifier: defaultApi, scopes, token_lifetime: 600 },
    { name: 'RFC 9068', identifier: rfc9068Api, scopes, token_dialect: 'rfc9068_profile' },
    { name: 'RFC 9068 authz', identifier: rfc9068AuthzApi, scopes, token_dialect: 'rfc9068_profile_authz', enforce_policies: true },
    { name: 'ES256', identifier: es256Api, scopes, signing_alg: 'ES256' },
    { name: 'PS256', identifier: ps256Api, scopes, signing_alg: 'PS256' },
  ],
  clients: [{ name: 'm2m', client_id: 'profiles-client', client_secret: secret, grant_types: ['client_credentials'] }],
  clientGrants: [defaultApi, rfc9068Api, rfc9068AuthzApi, es256Api, ps256Api].map((audience) => ({ client_id: 'profiles-client', audience, scope: ['read:a', 'write:a'] })),
};

describe('client_credentials token profiles', () => {
  let server: LocalServer;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  before(async () => {
    server = await startLocalServer({ tenant });
    jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
  });
  after(() => server?.stop());

  const issue = async (params: Record<string, string>) => {
    const res = await fetch(`${server.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'profiles-client', client_secret: secret, ...params }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 200, JSON.stringify(body));
    return body as { access_token: string; expires_in: number; scope?: string; token_type: string };
  };
  const verify = (token: string, audience: string, alg: string, typ?: string) =>
    jwtVerify(token, jwks, { issuer: server.issuer, audience, algorithms: [alg], ...(typ ? { typ } : {}) });

  test('without audience, the tenant default audience is used, with that API\'s lifetime', async () => {
    const body = await issue({});
    assert.equal(body.expires_in, 600);
    const { payload } = await verify(body.access_token, defaultApi, 'RS256', 'JWT');
    assert.equal(payload.aud, defaultApi);
    assert.equal(Number(payload.exp) - Number(payload.iat), 600);
    assert.equal(payload.gty, 'client-credentials');
  });

  test('`resource` names the API like `audience` does', async () => {
    const body = await issue({ resource: es256Api });
    await verify(body.access_token, es256Api, 'ES256');
  });

  test('rfc9068_profile: typ at+jwt, client_id and jti, no gty or azp', async () => {
    const body = await issue({ audience: rfc9068Api, scope: 'read:a' });
    const { payload, protectedHeader } = await verify(body.access_token, rfc9068Api, 'RS256', 'at+jwt');
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(payload.client_id, 'profiles-client');
    assert.equal(payload.sub, 'profiles-client@clients');
    assert.equal(payload.scope, 'read:a');
    assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
    assert.equal(payload.gty, undefined);
    assert.equal(payload.azp, undefined);
    assert.equal(payload.permissions, undefined, 'no permissions without an _authz dialect');
    const again = await issue({ audience: rfc9068Api, scope: 'read:a' });
    assert.notEqual((await verify(again.access_token, rfc9068Api, 'RS256')).payload.jti, payload.jti, 'a fresh jti per token');
  });

  test('rfc9068_profile_authz with RBAC: permissions are the granted scopes', async () => {
    const body = await issue({ audience: rfc9068AuthzApi });
    const { payload } = await verify(body.access_token, rfc9068AuthzApi, 'RS256', 'at+jwt');
    assert.deepEqual(payload.permissions, ['read:a', 'write:a']);
  });

  for (const [api, alg] of [[es256Api, 'ES256'], [ps256Api, 'PS256']] as const) {
    test(`an API with signing_alg ${alg} gets ${alg} tokens that verify against the JWKS`, async () => {
      const body = await issue({ audience: api });
      const header = decodeProtectedHeader(body.access_token);
      assert.equal(header.alg, alg);
      const { payload, protectedHeader } = await verify(body.access_token, api, alg);
      assert.equal(payload.sub, 'profiles-client@clients');
      const jwksDoc = (await (await fetch(`${server.baseUrl}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
      const key = jwksDoc.keys.find((k) => k.kid === protectedHeader.kid);
      assert.ok(key, 'the signing key is published');
      assert.equal(key.alg, alg);
      assert.equal(key.use, 'sig');
      assert.equal((payload as JWTPayload).iss, server.issuer);
    });
  }

  test('the JWKS publishes public halves only', async () => {
    const { keys } = (await (await fetch(`${server.baseUrl}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    assert.ok(keys.length >= 3);
    for (const key of keys) {
      for (const secretMember of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[secretMember], undefined, `${key.kid} leaks ${secretMember}`);
      assert.equal(typeof key.kid, 'string');
    }
    assert.deepEqual(new Set(keys.map((k) => k.alg)), new Set(['RS256', 'ES256', 'PS256']));
  });
});
