import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, importPKCS8, SignJWT } from 'jose';
import { verifyClientCredentialsToken } from '../support/access-tokens.ts';
import { makeTestPki, type TestPki } from '../support/certificates.ts';
import { x5tS256 } from '../support/extra-certificates.ts';
import { form, jsonOf, rawRequest, type RawResponse } from '../support/http-client.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * Auth0's edge route for mTLS (reference §1.1, §17): a customer proxy in front of a
 * self-managed custom domain terminates TLS and forwards the client certificate in headers,
 * proving itself with the domain's `cname-api-key`. Those headers — and X-Forwarded-* — are
 * believed only with the right key for the domain named by `Host`. Plain HTTP listener;
 * node:http, since fetch cannot set `Host`.
 */
const customDomain = 'auth.example.test';
const cnameApiKey = 'cname-api-key-0123456789-abcdef';
const popAllowed = 'https://api.pop-allowed.test/';
const plain = 'https://api.plain.test/';
const secret = 'edge-secret-0123456789abcdefghij';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

function tenantFor(pki: TestPki) {
  const clients = [
    {
      name: 'tls',
      client_id: 'tls-edge',
      grant_types: ['client_credentials'],
      client_authentication_methods: { tls_client_auth: { credentials: [{ credential_type: 'cert_subject_dn', subject_dn: 'CN=client-1,O=Tenant A,C=US' }] } },
    },
    {
      name: 'self-signed',
      client_id: 'self-edge',
      grant_types: ['client_credentials'],
      client_authentication_methods: { self_signed_tls_client_auth: { credentials: [{ credential_type: 'x509_cert', pem: pki.selfSignedCert }] } },
    },
    {
      // Registers the CA-signed certificate itself as "self-signed": only a FAILED verdict may use it.
      name: 'pinned-ca-cert',
      client_id: 'pinned-edge',
      grant_types: ['client_credentials'],
      client_authentication_methods: { self_signed_tls_client_auth: { credentials: [{ credential_type: 'x509_cert', pem: pki.clientCert }] } },
    },
    { name: 'secret', client_id: 'secret-edge', client_secret: secret, grant_types: ['client_credentials'] },
    {
      name: 'pkj',
      client_id: 'pkj-edge',
      grant_types: ['client_credentials'],
      client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', pem: rsa.publicKey, alg: 'RS256' }] } },
    },
  ];
  return {
    tenant: { friendly_name: 'edge', mtls: { enable_endpoint_aliases: true } },
    customDomains: [{ domain: customDomain, type: 'self_managed_certs', cname_api_key: cnameApiKey, custom_client_ip_header: 'true-client-ip' }],
    resourceServers: [
      { name: 'PoP allowed', identifier: popAllowed, scopes: [{ value: 'read:a' }], proof_of_possession: { mechanism: 'mtls', required: false } },
      { name: 'No PoP', identifier: plain, scopes: [{ value: 'read:a' }] },
    ],
    clients,
    clientGrants: clients.flatMap((c) => [popAllowed, plain].map((audience) => ({ client_id: c.client_id, audience, scope: ['read:a'] }))),
  };
}

describe('mTLS through a trusted edge: cname-api-key and client-certificate headers', () => {
  let server: LocalServer;
  let pki: TestPki;
  const edgeIssuer = `https://${customDomain}/`;

  before(async () => {
    pki = await makeTestPki();
    server = await startLocalServer({ tenant: tenantFor(pki) });
  });
  after(() => server?.stop());

  const token = (params: Record<string, string>, headers: Record<string, string>) =>
    rawRequest(`${server.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: form({ grant_type: 'client_credentials', ...params }),
    });
  /** Headers of the edge proxy; `key: null` leaves `cname-api-key` out. */
  const edge = (pem: string | undefined, verdict: string | undefined, key: string | null = cnameApiKey): Record<string, string> => ({
    host: customDomain,
    ...(key !== null ? { 'cname-api-key': key } : {}),
    ...(pem !== undefined ? { 'client-certificate': encodeURIComponent(pem) } : {}),
    ...(verdict !== undefined ? { 'client-certificate-ca-verified': verdict } : {}),
  });
  const accepted = async (res: RawResponse, clientId: string, audience: string, issuer = edgeIssuer) => {
    assert.equal(res.status, 200, res.body);
    const { payload } = await verifyClientCredentialsToken(jsonOf(res).access_token, { baseUrl: server.baseUrl, issuer, audience, clientId, scope: 'read:a' });
    return payload as { cnf?: Record<string, string> };
  };
  const invalidClient = (res: RawResponse) => {
    assert.equal(res.status, 401, res.body);
    assert.equal(jsonOf(res).error, 'invalid_client');
  };

  test('SUCCESS: tls_client_auth by subject DN; the token names the custom domain and is bound to the certificate', async () => {
    const payload = await accepted(await token({ client_id: 'tls-edge', audience: popAllowed }, edge(pki.clientCert, 'SUCCESS')), 'tls-edge', popAllowed);
    assert.deepEqual(payload.cnf, { 'x5t#S256': x5tS256(pki.clientCert) });
  });

  test('SUCCESS for an API without a PoP policy: unbound token', async () => {
    const payload = await accepted(await token({ client_id: 'tls-edge', audience: plain }, edge(pki.clientCert, 'SUCCESS')), 'tls-edge', plain);
    assert.equal(payload.cnf, undefined);
  });

  test('FAILED: self_signed_tls_client_auth by the registered certificate (with or without a reason)', async () => {
    const payload = await accepted(await token({ client_id: 'self-edge', audience: popAllowed }, edge(pki.selfSignedCert, 'FAILED')), 'self-edge', popAllowed);
    assert.deepEqual(payload.cnf, { 'x5t#S256': x5tS256(pki.selfSignedCert) });
    await accepted(await token({ client_id: 'self-edge', audience: popAllowed }, edge(pki.selfSignedCert, 'FAILED:self signed certificate')), 'self-edge', popAllowed);
  });

  test('FAILED: a certificate with a registered subject DN does not pass as tls_client_auth', async () => {
    invalidClient(await token({ client_id: 'tls-edge', audience: popAllowed }, edge(pki.clientCert, 'FAILED')));
  });

  test('a missing verdict counts as not verified', async () => {
    invalidClient(await token({ client_id: 'tls-edge', audience: popAllowed }, edge(pki.clientCert, undefined)));
  });

  test('SUCCESS: a CA-verified certificate is matched by DN only, not as a pinned self-signed one', async () => {
    invalidClient(await token({ client_id: 'pinned-edge', audience: popAllowed }, edge(pki.clientCert, 'SUCCESS')));
    await accepted(await token({ client_id: 'pinned-edge', audience: popAllowed }, edge(pki.clientCert, 'FAILED')), 'pinned-edge', popAllowed);
  });

  test('a self-signed certificate that is not the registered one is refused', async () => {
    invalidClient(await token({ client_id: 'self-edge', audience: popAllowed }, edge(pki.clientCert, 'FAILED')));
  });

  test('a wrong cname-api-key: the edge headers are ignored', async () => {
    invalidClient(await token({ client_id: 'tls-edge', audience: popAllowed }, edge(pki.clientCert, 'SUCCESS', `${cnameApiKey}x`)));
    invalidClient(await token({ client_id: 'self-edge', audience: popAllowed }, edge(pki.selfSignedCert, 'FAILED', 'short')));
  });

  test('no cname-api-key: the edge headers are ignored', async () => {
    invalidClient(await token({ client_id: 'tls-edge', audience: popAllowed }, edge(pki.clientCert, 'SUCCESS', null)));
    invalidClient(await token({ client_id: 'self-edge', audience: popAllowed }, edge(pki.selfSignedCert, 'FAILED', null)));
  });

  test('the right key for another Host: the edge headers are ignored', async () => {
    invalidClient(await token({ client_id: 'tls-edge', audience: popAllowed }, { ...edge(pki.clientCert, 'SUCCESS'), host: 'other.example.test' }));
    invalidClient(await token({ client_id: 'tls-edge', audience: popAllowed }, { ...edge(pki.clientCert, 'SUCCESS'), host: `127.0.0.1:${server.port}` }));
  });

  test('malformed certificate headers from a trusted edge are 401 invalid_client, never 5xx', async () => {
    const headers = edge(undefined, 'SUCCESS');
    invalidClient(await token({ client_id: 'tls-edge', audience: popAllowed }, { ...headers, 'client-certificate': '%E0%A4%A' }));
    invalidClient(await token({ client_id: 'tls-edge', audience: popAllowed }, { ...headers, 'client-certificate': encodeURIComponent('-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n') }));
    invalidClient(await token({ client_id: 'tls-edge', audience: popAllowed }, { ...headers, 'client-certificate': 'garbage' }));
    invalidClient(await token({ client_id: 'tls-edge', audience: popAllowed }, headers));
  });

  describe('issuer and proxy headers', () => {
    test('with the key, the token is issued by https://<custom domain>/, and X-Forwarded-Proto is believed', async () => {
      await accepted(await token({ client_id: 'secret-edge', client_secret: secret, audience: plain }, edge(undefined, undefined)), 'secret-edge', plain);
      const viaHttp = await token({ client_id: 'secret-edge', client_secret: secret, audience: plain }, { ...edge(undefined, undefined), 'x-forwarded-proto': 'http' });
      await accepted(viaHttp, 'secret-edge', plain, `http://${customDomain}/`);
    });

    test('without the key, Host, X-Forwarded-Proto, X-Forwarded-For and the custom IP header change nothing', async () => {
      const spoofed = { host: customDomain, 'x-forwarded-proto': 'http', 'x-forwarded-for': '203.0.113.7', 'true-client-ip': '203.0.113.8' };
      const res = await token({ client_id: 'secret-edge', client_secret: secret, audience: plain }, spoofed);
      await accepted(res, 'secret-edge', plain, server.issuer);
      const wrongKey = await token({ client_id: 'secret-edge', client_secret: secret, audience: plain }, { ...spoofed, 'cname-api-key': 'not-the-key-0123456789' });
      assert.equal(decodeJwt(jsonOf(wrongKey).access_token as string).iss, server.issuer);
    });

    test('discovery through the custom domain names it, and its mtls. alias', async () => {
      const res = await rawRequest(`${server.baseUrl}/.well-known/openid-configuration`, { headers: edge(undefined, undefined) });
      const doc = jsonOf(res);
      assert.equal(doc.issuer, edgeIssuer);
      assert.equal(doc.token_endpoint, `${edgeIssuer}oauth/token`);
      assert.equal(doc.jwks_uri, `${edgeIssuer}.well-known/jwks.json`);
      assert.deepEqual(doc.mtls_endpoint_aliases, {
        token_endpoint: `https://mtls.${customDomain}/oauth/token`,
        revocation_endpoint: `https://mtls.${customDomain}/oauth/revoke`,
        userinfo_endpoint: `https://mtls.${customDomain}/userinfo`,
      });
      assert.equal(doc.userinfo_endpoint, `${edgeIssuer}userinfo`);
      const direct = jsonOf(await rawRequest(`${server.baseUrl}/.well-known/openid-configuration`, { headers: { host: customDomain, 'x-forwarded-proto': 'http' } }));
      assert.equal(direct.issuer, server.issuer, 'no key: the configured issuer');
    });

    test('private_key_jwt through the custom domain: the assertion audience is the custom domain or the tenant issuer', async () => {
      const assertion = (aud: string) =>
        importPKCS8(rsa.privateKey, 'RS256').then((key) =>
          new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setIssuer('pkj-edge').setSubject('pkj-edge').setAudience(aud).setIssuedAt().setExpirationTime('1m').setJti(randomUUID()).sign(key),
        );
      const params = async (aud: string) => ({
        audience: plain,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(aud),
      });
      await accepted(await token(await params(edgeIssuer), edge(undefined, undefined)), 'pkj-edge', plain);
      // Auth0 accepts the tenant's own domain as well as the custom domain (reference §1.3).
      await accepted(await token(await params(server.issuer), edge(undefined, undefined)), 'pkj-edge', plain);
      invalidClient(await token(await params('https://elsewhere.example.test/'), edge(undefined, undefined)));
    });
  });
});
