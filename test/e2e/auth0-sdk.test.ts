import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
// node-auth0 v7 moved AuthenticationClient out of its main entry; `auth0/legacy` is the same
// package's v4 API, the one deployed backends call `oauth.clientCredentialsGrant` on.
import { AuthApiError, AuthenticationClient } from 'auth0/legacy';
import { verifyClientCredentialsToken } from '../support/access-tokens.ts';
import { makeTestPki, type TestPki } from '../support/certificates.ts';
import { tlsFetch } from '../support/http-client.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * The `auth0` npm package's AuthenticationClient against the real local server. The SDK always
 * builds `https://${domain}` (and `https://mtls.${domain}` with `useMTLS`), so the server runs
 * with issuer `https://sdk.example.test/` and the SDK gets, through its documented `fetch`
 * option, a transport that delivers those URLs to the local listeners — what a TLS-terminating
 * proxy in front of the API would do. The SDK itself builds every request: form body, client
 * secret, the private_key_jwt assertion (aud `https://${domain}/`), its telemetry header.
 */
const domain = 'sdk.example.test';
const issuer = `https://${domain}/`;
const audience = 'https://api.sdk.test/';
const secret = 'sdk-secret-0123456789abcdefghij';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

function tenantFor(pki: TestPki) {
  const pkj = (pem: string, alg: string) => ({ private_key_jwt: { credentials: [{ credential_type: 'public_key', pem, alg }] } });
  return {
    tenant: { friendly_name: 'node-auth0' },
    resourceServers: [{ name: 'API', identifier: audience, scopes: [{ value: 'read:a' }, { value: 'write:a' }] }],
    clients: [
      { name: 'secret', client_id: 'sdk-secret', client_secret: secret, token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'] },
      { name: 'pkj-rs', client_id: 'sdk-pkj-rs', grant_types: ['client_credentials'], client_authentication_methods: pkj(rsa.publicKey, 'RS256') },
      { name: 'pkj-es', client_id: 'sdk-pkj-es', grant_types: ['client_credentials'], client_authentication_methods: pkj(ec.publicKey, 'ES256') },
      {
        name: 'mtls',
        client_id: 'sdk-mtls',
        grant_types: ['client_credentials'],
        client_authentication_methods: { tls_client_auth: { credentials: [{ credential_type: 'cert_subject_dn', subject_dn: pki.clientSubject.split('/').filter(Boolean).reverse().join(',') }] } },
      },
    ],
    clientGrants: ['sdk-secret', 'sdk-pkj-rs', 'sdk-pkj-es', 'sdk-mtls'].map((client_id) => ({ client_id, audience, scope: ['read:a', 'write:a'] })),
  };
}

describe('node-auth0 AuthenticationClient: oauth.clientCredentialsGrant', () => {
  let server: LocalServer;
  let pki: TestPki;
  const seen: string[] = [];
  /** The SDK's `fetch` option: its https://sdk.example.test URLs, delivered to the local HTTP listener. */
  const proxyFetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    seen.push(url.href);
    assert.equal(url.origin, `https://${domain}`, 'the SDK talks to https://<domain>');
    return fetch(`${server.baseUrl}${url.pathname}${url.search}`, init);
  };
  const sdk = (options: { clientId: string; clientSecret?: string; clientAssertionSigningKey?: string; clientAssertionSigningAlg?: string }) =>
    new AuthenticationClient({ domain, ...options, fetch: proxyFetch });
  const expected = (clientId: string, scope: string, alg = 'RS256') => ({ baseUrl: server.baseUrl, issuer, audience, clientId, scope, algorithms: [alg] });

  before(async () => {
    pki = await makeTestPki();
    server = await startLocalServer({ tenant: tenantFor(pki), issuer, mtls: { cert: pki.files.serverCert, key: pki.files.serverKey, truststore: pki.files.truststore } });
  });
  after(() => server?.stop());

  test('client secret', async () => {
    const before = seen.length;
    const { data, status } = await sdk({ clientId: 'sdk-secret', clientSecret: secret }).oauth.clientCredentialsGrant({ audience });
    assert.equal(status, 200);
    assert.deepEqual(seen.slice(before), [`https://${domain}/oauth/token`]);
    assert.equal(data.token_type, 'Bearer');
    assert.equal(data.expires_in, 86400);
    await verifyClientCredentialsToken(data.access_token, expected('sdk-secret', 'read:a write:a'));
  });

  test('client secret with a narrower scope', async () => {
    // The SDK's request type names only `audience` but forwards every body parameter.
    const params = { audience, scope: 'write:a' };
    const { data } = await sdk({ clientId: 'sdk-secret', clientSecret: secret }).oauth.clientCredentialsGrant(params);
    await verifyClientCredentialsToken(data.access_token, expected('sdk-secret', 'write:a'));
  });

  test('clientAssertionSigningKey (private_key_jwt, RS256 by default)', async () => {
    const { data } = await sdk({ clientId: 'sdk-pkj-rs', clientAssertionSigningKey: rsa.privateKey }).oauth.clientCredentialsGrant({ audience });
    await verifyClientCredentialsToken(data.access_token, expected('sdk-pkj-rs', 'read:a write:a'));
  });

  test('clientAssertionSigningKey with clientAssertionSigningAlg ES256', async () => {
    const auth = sdk({ clientId: 'sdk-pkj-es', clientAssertionSigningKey: ec.privateKey, clientAssertionSigningAlg: 'ES256' });
    const first = await auth.oauth.clientCredentialsGrant({ audience });
    await verifyClientCredentialsToken(first.data.access_token, expected('sdk-pkj-es', 'read:a write:a'));
    // The SDK makes a fresh assertion (new jti) per call, so a second call works too.
    const second = await auth.oauth.clientCredentialsGrant({ audience });
    await verifyClientCredentialsToken(second.data.access_token, expected('sdk-pkj-es', 'read:a write:a'));
  });

  test('useMTLS: tls_client_auth through https://mtls.<domain> with a client certificate', async () => {
    const mtlsFetch = tlsFetch({ ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey }, (url) => {
      assert.equal(url.origin, `https://mtls.${domain}`, 'useMTLS switches the SDK to mtls.<domain>');
      return new URL(`${server.mtlsUrl}${url.pathname}`);
    });
    const auth = new AuthenticationClient({ domain, clientId: 'sdk-mtls', useMTLS: true, fetch: mtlsFetch });
    const { data } = await auth.oauth.clientCredentialsGrant({ audience });
    await verifyClientCredentialsToken(data.access_token, expected('sdk-mtls', 'read:a write:a'));
  });

  test('an unknown audience surfaces Auth0\'s 403 access_denied "Service not enabled within domain"', async () => {
    const unknown = 'https://not-an-api.example/';
    await assert.rejects(sdk({ clientId: 'sdk-secret', clientSecret: secret }).oauth.clientCredentialsGrant({ audience: unknown }), (error: unknown) => {
      assert.ok(error instanceof AuthApiError, `expected AuthApiError, got ${error}`);
      assert.equal(error.statusCode, 403);
      assert.equal(error.error, 'access_denied');
      assert.equal(error.error_description, `Service not enabled within domain: ${unknown}`);
      assert.equal(error.message, `Service not enabled within domain: ${unknown}`);
      return true;
    });
  });

  test('a wrong secret surfaces 401 invalid_client', async () => {
    await assert.rejects(sdk({ clientId: 'sdk-secret', clientSecret: `${secret}-wrong` }).oauth.clientCredentialsGrant({ audience }), (error: unknown) => {
      assert.ok(error instanceof AuthApiError);
      assert.equal(error.statusCode, 401);
      assert.equal(error.error, 'invalid_client');
      return true;
    });
  });

  test('an assertion signed with a key the client did not register surfaces 401 invalid_client', async () => {
    await assert.rejects(sdk({ clientId: 'sdk-pkj-es', clientAssertionSigningKey: rsa.privateKey }).oauth.clientCredentialsGrant({ audience }), (error: unknown) => {
      assert.ok(error instanceof AuthApiError);
      assert.equal(error.statusCode, 401);
      assert.equal(error.error, 'invalid_client');
      return true;
    });
  });
});
