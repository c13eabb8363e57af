import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT, type CryptoKey } from 'jose';
import * as client from 'openid-client';
import { verifyClientCredentialsToken } from '../support/access-tokens.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * openid-client v6 (a certified relying party library) against the real local server:
 * discovery, then client_credentials under client_secret_post, client_secret_basic and
 * private_key_jwt (RS256 and ES256), with Auth0's assertion rules (reference §1.3).
 */
const audience = 'https://api.oidc.test/';
const postSecret = 'post-secret-0123456789-abcdef';
// Characters that form-urlencoding changes (RFC 6749 §2.3.1 encodes before base64).
const basicSecret = 'b:s+c%r/t=&? é~0123456789';
const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface Keys {
  rsPrivate: CryptoKey;
  rsPkcs8: string;
  esPrivate: CryptoKey;
}

async function makeKeys(): Promise<Keys & { rsPem: string; esPem: string }> {
  const rs = await generateKeyPair('RS256', { extractable: true });
  const es = await generateKeyPair('ES256', { extractable: true });
  return {
    rsPrivate: rs.privateKey,
    rsPkcs8: await exportPKCS8(rs.privateKey),
    esPrivate: es.privateKey,
    rsPem: await exportSPKI(rs.publicKey),
    esPem: await exportSPKI(es.publicKey),
  };
}

function tenantFor(rsPem: string, esPem: string) {
  const grant = (client_id: string) => ({ client_id, audience, scope: ['read:a', 'write:a'] });
  const pkj = (pem: string, alg: string) => ({ private_key_jwt: { credentials: [{ credential_type: 'public_key', name: `${alg} key`, pem, alg }] } });
  return {
    tenant: { friendly_name: 'openid-client' },
    resourceServers: [{ name: 'API', identifier: audience, scopes: [{ value: 'read:a' }, { value: 'write:a' }] }],
    clients: [
      { name: 'post', client_id: 'post-client', client_secret: postSecret, token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'] },
      { name: 'basic', client_id: 'basic-client', client_secret: basicSecret, token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'] },
      { name: 'pkj-rs', client_id: 'pkj-rs', grant_types: ['client_credentials'], client_authentication_methods: pkj(rsPem, 'RS256') },
      { name: 'pkj-es', client_id: 'pkj-es', grant_types: ['client_credentials'], client_authentication_methods: pkj(esPem, 'ES256') },
    ],
    clientGrants: ['post-client', 'basic-client', 'pkj-rs', 'pkj-es'].map(grant),
  };
}

/** What the server said, whichever error class openid-client chose for it. */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; error: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof client.ResponseBodyError) return { status: error.status, error: error.error };
    if (error instanceof client.WWWAuthenticateChallengeError) {
      const body = (await error.response.json()) as { error: string };
      return { status: error.status, error: body.error };
    }
    throw error;
  }
  assert.fail('expected the token request to be refused');
}

describe('openid-client v6: client_credentials under every secret and key method', () => {
  let server: LocalServer;
  let keys: Keys;
  const insecure = { execute: [client.allowInsecureRequests] };
  const discover = (clientId: string, auth: client.ClientAuth) => client.discovery(new URL(server.issuer), clientId, undefined, auth, insecure);
  const expected = (clientId: string, scope: string | undefined, alg = 'RS256') => ({
    baseUrl: server.baseUrl,
    issuer: server.issuer,
    audience,
    clientId,
    scope,
    algorithms: [alg],
  });

  before(async () => {
    const made = await makeKeys();
    keys = made;
    server = await startLocalServer({ tenant: tenantFor(made.rsPem, made.esPem) });
  });
  after(() => server?.stop());

  test('discovery finds the issuer, the token endpoint and the client authentication methods', async () => {
    const config = await discover('post-client', client.ClientSecretPost(postSecret));
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, server.issuer);
    assert.equal(metadata.token_endpoint, `${server.issuer}oauth/token`);
    for (const method of ['client_secret_post', 'client_secret_basic', 'private_key_jwt']) {
      assert.ok(metadata.token_endpoint_auth_methods_supported?.includes(method), method);
    }
    assert.ok(metadata.token_endpoint_auth_signing_alg_values_supported?.includes('ES256'));
  });

  test('ClientSecretPost: a token for the requested scope', async () => {
    const config = await discover('post-client', client.ClientSecretPost(postSecret));
    const tokens = await client.clientCredentialsGrant(config, { audience, scope: 'read:a' });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.scope, 'read:a');
    assert.equal(tokens.expires_in, 86400);
    assert.equal(tokens.refresh_token, undefined, 'client_credentials never issues a refresh token');
    await verifyClientCredentialsToken(tokens.access_token, expected('post-client', 'read:a'));
  });

  test('ClientSecretBasic: a secret with reserved characters is form-decoded (RFC 6749 §2.3.1)', async () => {
    const config = await discover('basic-client', client.ClientSecretBasic(basicSecret));
    const tokens = await client.clientCredentialsGrant(config, { audience });
    assert.equal(tokens.scope, 'read:a write:a', 'no scope asked: every granted scope');
    await verifyClientCredentialsToken(tokens.access_token, expected('basic-client', 'read:a write:a'));
  });

  test('a client registered for client_secret_basic that posts its secret gets 401 invalid_client', async () => {
    const config = await discover('basic-client', client.ClientSecretPost(basicSecret));
    assert.deepEqual(await refusal(client.clientCredentialsGrant(config, { audience })), { status: 401, error: 'invalid_client' });
  });

  test('a client registered for client_secret_post that uses Basic gets 401 invalid_client', async () => {
    const config = await discover('post-client', client.ClientSecretBasic(postSecret));
    assert.deepEqual(await refusal(client.clientCredentialsGrant(config, { audience })), { status: 401, error: 'invalid_client' });
  });

  test('a wrong secret gets 401 invalid_client', async () => {
    const config = await discover('basic-client', client.ClientSecretBasic(`${basicSecret}x`));
    assert.deepEqual(await refusal(client.clientCredentialsGrant(config, { audience })), { status: 401, error: 'invalid_client' });
  });

  test('PrivateKeyJwt with an RS256 key', async () => {
    const config = await discover('pkj-rs', client.PrivateKeyJwt(keys.rsPrivate));
    const tokens = await client.clientCredentialsGrant(config, { audience, scope: 'write:a' });
    await verifyClientCredentialsToken(tokens.access_token, expected('pkj-rs', 'write:a'));
  });

  test('PrivateKeyJwt with an ES256 key', async () => {
    const config = await discover('pkj-es', client.PrivateKeyJwt(keys.esPrivate));
    const tokens = await client.clientCredentialsGrant(config, { audience, scope: 'read:a write:a' });
    await verifyClientCredentialsToken(tokens.access_token, expected('pkj-es', 'read:a write:a'));
  });

  test('PrivateKeyJwt: a replayed assertion (same jti) is refused with 401 invalid_client', async () => {
    const jti = randomUUID();
    const config = await discover('pkj-rs', client.PrivateKeyJwt(keys.rsPrivate, { [client.modifyAssertion]: (_h, p) => void (p.jti = jti) }));
    const first = await client.clientCredentialsGrant(config, { audience });
    await verifyClientCredentialsToken(first.access_token, expected('pkj-rs', 'read:a write:a'));
    assert.deepEqual(await refusal(client.clientCredentialsGrant(config, { audience })), { status: 401, error: 'invalid_client' });
    // The same jti from another client is a different assertion: jti is unique per issuer.
    const other = await discover('pkj-es', client.PrivateKeyJwt(keys.esPrivate, { [client.modifyAssertion]: (_h, p) => void (p.jti = jti) }));
    const theirs = await client.clientCredentialsGrant(other, { audience });
    await verifyClientCredentialsToken(theirs.access_token, expected('pkj-es', 'read:a write:a'));
  });

  test('PrivateKeyJwt: an assertion living longer than 5 minutes is refused', async () => {
    const config = await discover(
      'pkj-rs',
      client.PrivateKeyJwt(keys.rsPrivate, { [client.modifyAssertion]: (_h, p) => void (p.exp = Number(p.iat) + 10 * 60) }),
    );
    assert.deepEqual(await refusal(client.clientCredentialsGrant(config, { audience })), { status: 401, error: 'invalid_client' });
  });

  test('PrivateKeyJwt: an assertion for another audience is refused', async () => {
    const config = await discover(
      'pkj-rs',
      client.PrivateKeyJwt(keys.rsPrivate, { [client.modifyAssertion]: (_h, p) => void (p.aud = 'https://someone-else.example/') }),
    );
    assert.deepEqual(await refusal(client.clientCredentialsGrant(config, { audience })), { status: 401, error: 'invalid_client' });
  });

  test('PrivateKeyJwt: the registered key under an algorithm not registered for it (PS256) is refused', async () => {
    // Same RSA key material: the signature would verify if the algorithm were not pinned.
    const pss = await importPKCS8(keys.rsPkcs8, 'PS256');
    const config = await discover('pkj-rs', client.PrivateKeyJwt(pss));
    assert.deepEqual(await refusal(client.clientCredentialsGrant(config, { audience })), { status: 401, error: 'invalid_client' });
  });

  test('PrivateKeyJwt: another client\'s key is refused', async () => {
    const config = await discover('pkj-rs', client.PrivateKeyJwt(keys.esPrivate));
    assert.deepEqual(await refusal(client.clientCredentialsGrant(config, { audience })), { status: 401, error: 'invalid_client' });
  });

  test('PrivateKeyJwt: of concurrent requests with one assertion, exactly one gets a token', async () => {
    for (let round = 0; round < 3; round++) {
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer('pkj-rs')
        .setSubject('pkj-rs')
        .setAudience(server.issuer)
        .setIssuedAt()
        .setExpirationTime('1m')
        .setJti(randomUUID())
        .sign(keys.rsPrivate);
      const body = new URLSearchParams({ grant_type: 'client_credentials', audience, client_assertion_type: assertionType, client_assertion: assertion }).toString();
      const send = () =>
        fetch(`${server.baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { error?: string },
        }));
      const results = await Promise.all([send(), send(), send(), send()]);
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 401, 401, 401], `round ${round}`);
      for (const r of results) if (r.status === 401) assert.equal(r.body.error, 'invalid_client');
      const winner = results.find((r) => r.status === 200)!.body as { access_token?: string };
      await verifyClientCredentialsToken(winner.access_token, expected('pkj-rs', 'read:a write:a'));
    }
  });
});
