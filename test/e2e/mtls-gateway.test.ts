import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { verifyClientCredentialsToken } from '../support/access-tokens.ts';
import { makeTestPki, type TestPki } from '../support/certificates.ts';
import { issueClientCertificate, selfSignedCertificate, x5tS256, type ClientCertificate } from '../support/extra-certificates.ts';
import { form, formHeaders, jsonOf, rawRequest, tlsFetch, type RawResponse } from '../support/http-client.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * The native mTLS route (RFC 8705; reference §17): the local server's HTTPS listener asks for
 * a client certificate and refuses, in the handshake, any that does not chain to its
 * truststore — as API Gateway's mTLS custom domain does — and hands the certificate to the
 * handler in `requestContext.identity.clientCert`. Real TLS handshakes with node:https.
 */
const popRequired = 'https://api.pop-required.test/';
const popAllowed = 'https://api.pop-allowed.test/';
const plain = 'https://api.plain.test/';
const secret = 'mtls-secret-0123456789abcdefghij';

function tenantFor(pki: TestPki) {
  // RFC 4514 comma form, most specific first: the opposite order of the certificate's own.
  const dn = 'CN=client-1,O=Tenant A,C=US';
  const tls = { tls_client_auth: { credentials: [{ credential_type: 'cert_subject_dn', subject_dn: dn }] } };
  const clients = [
    { name: 'tls', client_id: 'tls-client', grant_types: ['client_credentials'], client_authentication_methods: tls },
    { name: 'tls-pop', client_id: 'tls-pop-client', grant_types: ['client_credentials'], client_authentication_methods: tls, require_proof_of_possession: true },
    {
      name: 'self-signed',
      client_id: 'self-client',
      grant_types: ['client_credentials'],
      client_authentication_methods: { self_signed_tls_client_auth: { credentials: [{ credential_type: 'x509_cert', pem: pki.selfSignedCert }] } },
    },
    { name: 'secret', client_id: 'secret-client', client_secret: secret, grant_types: ['client_credentials'] },
    { name: 'secret-pop', client_id: 'secret-pop-client', client_secret: secret, grant_types: ['client_credentials'], require_proof_of_possession: true },
  ];
  const apis = [popRequired, popAllowed, plain];
  return {
    tenant: { friendly_name: 'mTLS', mtls: { enable_endpoint_aliases: true } },
    resourceServers: [
      { name: 'PoP required', identifier: popRequired, scopes: [{ value: 'read:a' }], proof_of_possession: { mechanism: 'mtls', required: true } },
      { name: 'PoP allowed', identifier: popAllowed, scopes: [{ value: 'read:a' }], proof_of_possession: { mechanism: 'mtls', required: false } },
      { name: 'No PoP', identifier: plain, scopes: [{ value: 'read:a' }] },
    ],
    clients,
    clientGrants: clients.flatMap((c) => apis.map((audience) => ({ client_id: c.client_id, audience, scope: ['read:a'] }))),
  };
}

/** No HTTP answer at all: the TLS layer ended the connection (a TLS alert, or a reset after one). */
const refusedByTls = (error: NodeJS.ErrnoException) => {
  assert.match(String(error.code), /^(ERR_SSL_|ECONNRESET$|EPIPE$)/, `${error.code}: ${error.message}`);
  return true;
};

describe('mTLS on the gateway listener: tls_client_auth, self_signed_tls_client_auth, certificate-bound tokens', () => {
  let server: LocalServer;
  let pki: TestPki;
  let stranger: ClientCertificate;
  let untrusted: ClientCertificate;
  let caSigned: ClientCertificate;
  let selfSigned: ClientCertificate;

  before(async () => {
    pki = await makeTestPki();
    caSigned = { cert: pki.clientCert, key: pki.clientKey };
    selfSigned = { cert: pki.selfSignedCert, key: pki.selfSignedKey };
    stranger = await issueClientCertificate(pki, '/C=US/O=Tenant B/CN=stranger');
    untrusted = await selfSignedCertificate(pki, '/CN=not-in-the-truststore');
    server = await startLocalServer({ tenant: tenantFor(pki), mtls: { cert: pki.files.serverCert, key: pki.files.serverKey, truststore: pki.files.truststore } });
  });
  after(() => server?.stop());

  const mtlsToken = (certificate: ClientCertificate | undefined, params: Record<string, string>) =>
    rawRequest(`${server.mtlsUrl}/oauth/token`, {
      method: 'POST',
      headers: formHeaders,
      body: form({ grant_type: 'client_credentials', ...params }),
      tls: { ca: pki.caCert, ...(certificate ? { cert: certificate.cert, key: certificate.key } : {}) },
    });
  const plainToken = (params: Record<string, string>) =>
    rawRequest(`${server.baseUrl}/oauth/token`, { method: 'POST', headers: formHeaders, body: form({ grant_type: 'client_credentials', ...params }) });
  const expected = (clientId: string, audience: string) => ({ baseUrl: server.baseUrl, issuer: server.issuer, audience, clientId, scope: 'read:a' });
  const accessToken = async (res: RawResponse, clientId: string, audience: string) => {
    assert.equal(res.status, 200, res.body);
    const { payload } = await verifyClientCredentialsToken(jsonOf(res).access_token, expected(clientId, audience));
    return payload as { cnf?: Record<string, string> };
  };
  const assertRefused = (res: RawResponse, status: number, error: string) => {
    assert.equal(res.status, status, res.body);
    assert.equal(jsonOf(res).error, error);
  };

  test('discovery advertises the mTLS methods and the token, revocation and userinfo aliases', async () => {
    const res = await rawRequest(`${server.baseUrl}/.well-known/openid-configuration`);
    const doc = jsonOf<Record<string, unknown>>(res);
    const mtlsPort = new URL(server.mtlsUrl!).port;
    assert.deepEqual(doc.mtls_endpoint_aliases, {
      token_endpoint: `https://localhost:${mtlsPort}/oauth/token`,
      revocation_endpoint: `https://localhost:${mtlsPort}/oauth/revoke`,
      userinfo_endpoint: `https://localhost:${mtlsPort}/userinfo`,
    });
    assert.equal(doc.tls_client_certificate_bound_access_tokens, true);
    const methods = doc.token_endpoint_auth_methods_supported as string[];
    assert.ok(methods.includes('tls_client_auth') && methods.includes('self_signed_tls_client_auth'));
  });

  test('tls_client_auth: the CA-signed certificate matches a subject DN registered in RFC 4514 comma form', async () => {
    const payload = await accessToken(await mtlsToken(caSigned, { client_id: 'tls-client', audience: popAllowed }), 'tls-client', popAllowed);
    assert.deepEqual(payload.cnf, { 'x5t#S256': x5tS256(pki.clientCert) });
  });

  test('tls_client_auth to an API that requires PoP: the token is bound to the certificate', async () => {
    const payload = await accessToken(await mtlsToken(caSigned, { client_id: 'tls-client', audience: popRequired }), 'tls-client', popRequired);
    assert.deepEqual(payload.cnf, { 'x5t#S256': x5tS256(pki.clientCert) });
  });

  test('self_signed_tls_client_auth: the registered certificate authenticates and binds the token', async () => {
    const payload = await accessToken(await mtlsToken(selfSigned, { client_id: 'self-client', audience: popAllowed }), 'self-client', popAllowed);
    assert.deepEqual(payload.cnf, { 'x5t#S256': x5tS256(pki.selfSignedCert) });
    assert.notEqual(x5tS256(pki.selfSignedCert), x5tS256(pki.clientCert));
  });

  test('a certificate presented for an API without a PoP policy gives an unbound token', async () => {
    const payload = await accessToken(await mtlsToken(caSigned, { client_id: 'tls-client', audience: plain }), 'tls-client', plain);
    assert.equal(payload.cnf, undefined);
  });

  test('a handshake without a client certificate is refused at the TLS level', async () => {
    await assert.rejects(mtlsToken(undefined, { client_id: 'tls-client', audience: popAllowed }), refusedByTls);
  });

  test('a client certificate that does not chain to the truststore is refused at the TLS level', async () => {
    await assert.rejects(mtlsToken(untrusted, { client_id: 'self-client', audience: popAllowed }), refusedByTls);
  });

  test('a trusted certificate whose subject DN matches no client is 401 invalid_client', async () => {
    assertRefused(await mtlsToken(stranger, { client_id: 'tls-client', audience: popAllowed }), 401, 'invalid_client');
    assertRefused(await mtlsToken(stranger, { client_id: 'self-client', audience: popAllowed }), 401, 'invalid_client');
  });

  test('each certificate authenticates only its own kind of client', async () => {
    // The self-signed certificate is in the truststore, but its DN is not the registered one.
    assertRefused(await mtlsToken(selfSigned, { client_id: 'tls-client', audience: popAllowed }), 401, 'invalid_client');
    // The CA-signed certificate is not the pinned self-signed one.
    assertRefused(await mtlsToken(caSigned, { client_id: 'self-client', audience: popAllowed }), 401, 'invalid_client');
  });

  test('an mTLS client on the plain listener (no certificate) is 401 invalid_client', async () => {
    assertRefused(await plainToken({ client_id: 'tls-client', audience: popAllowed }), 401, 'invalid_client');
  });

  test('an mTLS client cannot fall back to a client secret', async () => {
    assertRefused(await mtlsToken(caSigned, { client_id: 'tls-client', client_secret: secret, audience: popAllowed }), 401, 'invalid_client');
  });

  describe('issuance matrix (reference §17)', () => {
    test('client requires PoP, no certificate (plain listener): not issued', async () => {
      assertRefused(await plainToken({ client_id: 'secret-pop-client', client_secret: secret, audience: popAllowed }), 400, 'invalid_request');
    });

    test('API requires PoP, no certificate: not issued', async () => {
      assertRefused(await plainToken({ client_id: 'secret-client', client_secret: secret, audience: popRequired }), 400, 'invalid_request');
    });

    test('client requires PoP, API has no PoP policy: not issued, even with a certificate', async () => {
      assertRefused(await mtlsToken(caSigned, { client_id: 'tls-pop-client', audience: plain }), 400, 'invalid_request');
    });

    test('client requires PoP, certificate presented, API allows PoP: bound token', async () => {
      const payload = await accessToken(await mtlsToken(caSigned, { client_id: 'tls-pop-client', audience: popAllowed }), 'tls-pop-client', popAllowed);
      assert.deepEqual(payload.cnf, { 'x5t#S256': x5tS256(pki.clientCert) });
    });

    test('no certificate, API allows PoP, client does not require it: unbound token', async () => {
      const payload = await accessToken(await plainToken({ client_id: 'secret-client', client_secret: secret, audience: popAllowed }), 'secret-client', popAllowed);
      assert.equal(payload.cnf, undefined);
    });

    test('a secret client that connects with a certificate gets a token bound to it (RFC 8705 §3)', async () => {
      const payload = await accessToken(await mtlsToken(caSigned, { client_id: 'secret-client', client_secret: secret, audience: popRequired }), 'secret-client', popRequired);
      assert.deepEqual(payload.cnf, { 'x5t#S256': x5tS256(pki.clientCert) });
    });
  });

  test('openid-client: TlsClientAuth through the discovered mtls_endpoint_aliases', async () => {
    const config = await client.discovery(new URL(server.issuer), 'tls-client', { use_mtls_endpoint_aliases: true }, client.TlsClientAuth(), {
      execute: [client.allowInsecureRequests],
    });
    const used: string[] = [];
    const viaTls = tlsFetch({ ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey });
    config[client.customFetch] = (url, options) => {
      used.push(url);
      return viaTls(url, options as RequestInit);
    };
    const tokens = await client.clientCredentialsGrant(config, { audience: popRequired });
    assert.deepEqual(used, [`https://localhost:${new URL(server.mtlsUrl!).port}/oauth/token`]);
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { 'x5t#S256': x5tS256(pki.clientCert) });
  });
});
