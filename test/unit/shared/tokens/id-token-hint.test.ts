import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { verifyIdTokenHint } from '../../../../shared/tokens/id-token-hint.ts';
import { isOAuthError } from '../../../../shared/errors.ts';
import type { RequestContext } from '../../../../shared/http/request-context.ts';
import { emptySettings } from '../../../../shared/store/tenant-config.ts';
import { clientDefaults, type ClientRecord, type TenantConfig } from '../../../../shared/tenant/model.ts';
import { signJwt } from '../../../../shared/tokens/signer.ts';
import { useKeysetFile } from '../../../support/keyset-file.ts';

const issuer = 'https://auth.example.test/';
const app: ClientRecord = {
  ...clientDefaults,
  client_id: 'spa-1',
  name: 'SPA',
  is_first_party: true,
  grant_types: ['authorization_code'],
  require_proof_of_possession: false,
  is_token_endpoint_ip_header_trusted: false,
  extra: {},
};
const tenant: TenantConfig = {
  settings: emptySettings,
  clients: new Map([[app.client_id, app]]),
  resourceServers: new Map(),
  clientGrants: new Map(),
  connections: new Map(),
  customDomains: new Map([['login.example.org', { domain: 'login.example.org', type: 'self_managed_certs' }]]),
};
const context: RequestContext = { issuer, clientIp: '127.0.0.1', customDomain: undefined, certificate: undefined };
const now = () => Math.floor(Date.now() / 1000);
const idToken = (claims: Record<string, unknown> = {}, alg: 'RS256' | 'ES256' | 'PS256' = 'RS256') =>
  signJwt({ iss: issuer, sub: 'auth0|0123456789abcdef01234567', aud: 'spa-1', iat: now(), exp: now() + 3600, sid: 'sid-1', ...claims }, alg);

const refused = async (token: string) => {
  await assert.rejects(verifyIdTokenHint(token, tenant, context), (error) => {
    assert.ok(isOAuthError(error));
    assert.equal(error.statusCode, 400);
    assert.equal(error.error, 'invalid_request');
    return true;
  });
};

describe('verifyIdTokenHint', () => {
  before(async () => {
    await useKeysetFile(issuer);
  });

  test('one of our ID tokens: its client, sub and sid, whatever our signing algorithm', async () => {
    for (const alg of ['RS256', 'ES256', 'PS256'] as const) {
      const hint = await verifyIdTokenHint(await idToken({}, alg), tenant, context);
      assert.equal(hint.client.client_id, 'spa-1', alg);
      assert.equal(hint.sub, 'auth0|0123456789abcdef01234567');
      assert.equal(hint.sid, 'sid-1');
    }
  });

  test('an expired ID token is accepted (RP-Initiated Logout §2)', async () => {
    const hint = await verifyIdTokenHint(await idToken({ iat: now() - 90_000, exp: now() - 50_000 }), tenant, context);
    assert.equal(hint.client.client_id, 'spa-1');
  });

  test('without sid; with several audiences and azp; through a custom domain', async () => {
    assert.equal((await verifyIdTokenHint(await idToken({ sid: undefined }), tenant, context)).sid, undefined);
    assert.equal((await verifyIdTokenHint(await idToken({ aud: ['spa-1', 'other'], azp: 'spa-1' }), tenant, context)).client.client_id, 'spa-1');
    assert.equal((await verifyIdTokenHint(await idToken({ iss: 'https://login.example.org/' }), tenant, context)).client.client_id, 'spa-1');
  });

  test('refused: another issuer, an unknown or ambiguous audience, an access token, a logout token, no sub', async () => {
    await refused(await idToken({ iss: 'https://evil.test/' }));
    await refused(await idToken({ aud: 'unknown-client' }));
    await refused(await idToken({ aud: ['spa-1', 'other'] }));
    await refused(await idToken({ aud: ['https://api.example.test/', `${issuer}userinfo`], azp: 'spa-1', scope: 'openid' }));
    await refused(await idToken({ events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }));
    await refused(await idToken({ sub: undefined }));
  });

  test('refused: signed by a key not in our keyset, tampered, unsigned, malformed', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const good = await idToken();
    const [header] = good.split('.');
    await refused(await new SignJWT({ iss: issuer, sub: 'x', aud: 'spa-1' }).setProtectedHeader({ alg: 'RS256', kid: JSON.parse(Buffer.from(header!, 'base64url').toString()).kid }).sign(privateKey));
    const parts = good.split('.');
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as Record<string, unknown>;
    await refused([parts[0], Buffer.from(JSON.stringify({ ...payload, sub: 'auth0|someone-else' })).toString('base64url'), parts[2]].join('.'));
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    await refused(`${none}.${parts[1]}.`);
    for (const junk of ['', 'a.b.c', 'not-a-jwt', `${parts[0]}.${Buffer.from('[1]').toString('base64url')}.${parts[2]}`, 'x'.repeat(20_000)]) await refused(junk);
  });
});
