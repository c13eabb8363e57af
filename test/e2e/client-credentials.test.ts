import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

const audience = 'https://api.example.test/';
const tenant = {
  tenant: { friendly_name: 'E2E' },
  resourceServers: [{ name: 'API', identifier: audience, scopes: [{ value: 'read:a' }, { value: 'write:a' }], enforce_policies: true, token_dialect: 'access_token_authz' }],
  clients: [{ name: 'm2m', client_id: 'm2m-client', client_secret: 'm2m-secret-0123456789abcdef', grant_types: ['client_credentials'] }],
  clientGrants: [{ client_id: 'm2m', audience, scope: ['read:a', 'write:a'] }],
};

describe('client_credentials over raw HTTP', () => {
  let server: LocalServer;
  before(async () => {
    server = await startLocalServer({ tenant });
  });
  after(() => server?.stop());

  const token = (body: Record<string, string>) =>
    fetch(`${server.baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('issues an Auth0-shaped access token that verifies against the JWKS', async () => {
    const res = await token({ grant_type: 'client_credentials', client_id: 'm2m-client', client_secret: 'm2m-secret-0123456789abcdef', audience, scope: 'read:a' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.scope, 'read:a');
    const jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(String(body.access_token), jwks, { issuer: server.issuer, audience });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, 'm2m-client@clients');
    assert.equal(payload.azp, 'm2m-client');
    assert.equal(payload.gty, 'client-credentials');
    assert.deepEqual(payload.permissions, ['read:a']);
    assert.equal(Number(payload.exp) - Number(payload.iat), 86400);
  });

  test('refuses a wrong secret with 401 invalid_client', async () => {
    const res = await token({ grant_type: 'client_credentials', client_id: 'm2m-client', client_secret: 'nope-nope-nope-nope', audience });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
  });
});
