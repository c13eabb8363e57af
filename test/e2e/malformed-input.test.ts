import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { form, jsonOf, rawRequest, type RawResponse } from '../support/http-client.ts';
import { tokenRequests } from '../support/token-request-arbitraries.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * Bad input to POST /oauth/token gets a 4xx with Auth0's error shape and never a 5xx
 * (DESIGN.md, "rules that are not negotiable"): a fast-check property over malformed bodies,
 * content types, Authorization headers and client assertions, then the precise answers for
 * the refusals a client_credentials caller can meet (reference §1.4, §3.1, §3.3).
 */
const audience = 'https://api.malformed.test/';
const ungranted = 'https://api.ungranted.test/';
const secret = 'malformed-secret-0123456789abcdef';
const otherSecret = 'other-secret-0123456789abcdefghij';
const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const keyPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKey = keyPair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const tenant = {
  // No default audience here (a request without `audience` must be refused), and limits high
  // enough that the flood below is never rate limited.
  tenant: { friendly_name: 'malformed', rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 } } },
  resourceServers: [
    { name: 'API', identifier: audience, scopes: [{ value: 'read:a' }, { value: 'write:a' }, { value: 'admin:a' }] },
    { name: 'Ungranted', identifier: ungranted, scopes: [{ value: 'read:a' }] },
  ],
  clients: [
    { name: 'm2m', client_id: 'm2m-client', client_secret: secret, token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'] },
    { name: 'basic', client_id: 'basic-client', client_secret: secret, token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'] },
    { name: 'web', client_id: 'web-client', client_secret: otherSecret, token_endpoint_auth_method: 'client_secret_post', grant_types: ['authorization_code', 'refresh_token'] },
    {
      name: 'pkj',
      client_id: 'pkj-client',
      grant_types: ['client_credentials'],
      client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', pem: publicKey, alg: 'RS256' }] } },
    },
  ],
  clientGrants: [
    { client_id: 'm2m-client', audience, scope: ['read:a', 'write:a'] },
    { client_id: 'basic-client', audience, scope: ['read:a'] },
    { client_id: 'pkj-client', audience, scope: ['read:a'] },
  ],
};

const assertOAuthError = (res: RawResponse, status: number, error: string, description?: string | RegExp) => {
  assert.equal(res.status, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = jsonOf<{ error: unknown; error_description: unknown }>(res);
  assert.equal(body.error, error);
  assert.equal(typeof body.error_description, 'string');
  if (typeof description === 'string') assert.equal(body.error_description, description);
  else if (description) assert.match(body.error_description as string, description);
};

describe('POST /oauth/token with malformed and refused input', () => {
  let server: LocalServer;
  before(async () => {
    server = await startLocalServer({ tenant });
  });
  after(() => server?.stop());

  const post = (body: string | Buffer, headers: Record<string, string>) =>
    rawRequest(`${server.baseUrl}/oauth/token`, { method: 'POST', headers, body, timeoutMs: 15_000 });
  const postForm = (p: Record<string, string>, headers: Record<string, string> = {}) =>
    post(form(p), { 'content-type': 'application/x-www-form-urlencoded', ...headers });
  const postJson = (p: unknown) => post(JSON.stringify(p), { 'content-type': 'application/json' });
  const valid = { grant_type: 'client_credentials', client_id: 'm2m-client', client_secret: secret, audience };
  const requests = () =>
    tokenRequests({
      issuer: server.issuer,
      // Never `audience`: with real credentials, the only audiences on offer are refused ones.
      refusedAudiences: [ungranted, 'https://unknown.example/', 'toString', '__proto__'],
      clientIds: ['m2m-client', 'basic-client', 'web-client', 'pkj-client'],
      postSecrets: [{ clientId: 'm2m-client', secret }, { clientId: 'web-client', secret: otherSecret }],
      basicSecrets: [{ clientId: 'basic-client', secret }],
      assertionKey: { clientId: 'pkj-client', key: keyPair.privateKey },
    });

  test('control: the well-formed request succeeds, as form and as JSON', async () => {
    assert.equal((await postForm(valid)).status, 200);
    assert.equal((await postJson(valid)).status, 200);
  });

  test('property: anything malformed gets a 4xx with a JSON error and error_description, never a 5xx or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(requests(), async ({ body, contentType, authorization }) => {
        const headers: Record<string, string> = {};
        if (contentType !== undefined) headers['content-type'] = contentType;
        if (authorization !== undefined) headers.authorization = authorization;
        const res = await post(body, headers);
        assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${res.body.slice(0, 300)}`);
        const parsed = jsonOf<{ error?: unknown; error_description?: unknown }>(res);
        assert.equal(typeof parsed.error, 'string', res.body);
        assert.equal(typeof parsed.error_description, 'string', res.body);
      }),
      { numRuns: 500 },
    );
    assert.doesNotMatch(server.output(), /"level":"error"|handler failed/, 'no request reached the unhandled-error path');
  });

  describe('malformed requests: 400 invalid_request', () => {
    test('a repeated parameter', async () => {
      const body = `${form(valid)}&audience=${encodeURIComponent(audience)}`;
      assertOAuthError(await post(body, { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'invalid_request', /audience.*more than once/);
      const twice = `grant_type=client_credentials&${form(valid)}`;
      assertOAuthError(await post(twice, { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'invalid_request');
    });

    test('a content type that is neither JSON nor form', async () => {
      assertOAuthError(await post(form(valid), { 'content-type': 'text/plain' }), 400, 'invalid_request');
      assertOAuthError(await post(form(valid), {}), 400, 'invalid_request');
    });

    test('a body above the 16 KiB cap', async () => {
      assertOAuthError(await postForm({ ...valid, pad: 'a'.repeat(17 * 1024) }), 400, 'invalid_request', 'Request body too large');
    });

    test('headers above what the gateway parses (16 KiB locally) are a 431 with a JSON body, and the server lives on', async () => {
      const res = await rawRequest(`${server.baseUrl}/oauth/token`, { method: 'POST', headers: { authorization: `Bearer ${'a'.repeat(20_000)}` } });
      assert.equal(res.status, 431);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.deepEqual(JSON.parse(res.body), { message: 'Request Header Fields Too Large' });
      assert.equal((await rawRequest(`${server.baseUrl}/.well-known/openid-configuration`, { method: 'GET' })).status, 200);
    });

    test('a body above what the gateway accepts at all (1 MiB locally) is 413 invalid_request', async () => {
      assertOAuthError(await postForm({ ...valid, pad: 'a'.repeat(1024 * 1024 + 1) }), 413, 'invalid_request');
    });

    test('a body that is not UTF-8', async () => {
      const bytes = Buffer.concat([Buffer.from(form(valid)), Buffer.from([0xff, 0xfe])]);
      assertOAuthError(await post(bytes, { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'invalid_request', 'Request body must be UTF-8');
      const json = Buffer.concat([Buffer.from('{"grant_type":"client_credentials","x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
      assertOAuthError(await post(json, { 'content-type': 'application/json' }), 400, 'invalid_request', 'Request body must be UTF-8');
    });

    test('broken percent-encoding and broken JSON', async () => {
      assertOAuthError(await post('grant_type=client_credentials&client_id=%zz', { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'invalid_request');
      assertOAuthError(await post('{"grant_type":"client_credentials"', { 'content-type': 'application/json' }), 400, 'invalid_request');
      assertOAuthError(await post('["client_credentials"]', { 'content-type': 'application/json' }), 400, 'invalid_request');
      assertOAuthError(await postJson({ ...valid, audience: [audience] }), 400, 'invalid_request');
    });

    test('no grant_type', async () => {
      const { grant_type: _, ...rest } = valid;
      assertOAuthError(await postForm(rest), 400, 'invalid_request', 'Missing required parameter: grant_type');
    });

    test('a scope with characters RFC 6749 §3.3 forbids is 400 invalid_scope', async () => {
      assertOAuthError(await postForm({ ...valid, scope: 'read:a "quoted"' }), 400, 'invalid_scope');
    });
  });

  test('another method on /oauth/token is 405 method_not_allowed with Allow: POST, OPTIONS (CORS preflights)', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await rawRequest(`${server.baseUrl}/oauth/token`, { method });
      assertOAuthError(res, 405, 'method_not_allowed');
      assert.equal(res.headers.allow, 'POST, OPTIONS');
    }
  });

  test('an unknown grant is 400 unsupported_grant_type', async () => {
    assertOAuthError(await postForm({ ...valid, grant_type: 'urn:example:unknown' }), 400, 'unsupported_grant_type');
    assertOAuthError(await postForm({ ...valid, grant_type: '__proto__' }), 400, 'unsupported_grant_type');
  });

  test('a grant the client is not enabled for is 403 unauthorized_client', async () => {
    const res = await postForm({ grant_type: 'client_credentials', client_id: 'web-client', client_secret: otherSecret, audience });
    assertOAuthError(res, 403, 'unauthorized_client', "Grant type 'client_credentials' not allowed for the client.");
  });

  describe('403 access_denied with Auth0\'s texts', () => {
    test('no audience, and no default audience configured', async () => {
      const { audience: _, ...rest } = valid;
      assertOAuthError(await postForm(rest), 403, 'access_denied', /No audience parameter was provided/);
    });

    test('an unknown audience', async () => {
      const unknown = 'https://nothing-here.example/';
      assertOAuthError(await postForm({ ...valid, audience: unknown }), 403, 'access_denied', `Service not enabled within domain: ${unknown}`);
    });

    test('no client grant for the audience', async () => {
      assertOAuthError(await postForm({ ...valid, audience: ungranted }), 403, 'access_denied', new RegExp(`^Client is not authorized to access "${ungranted.replace(/[.]/g, '\\.')}"`));
    });

    test('a scope outside the client grant', async () => {
      assertOAuthError(await postForm({ ...valid, scope: 'read:a admin:a' }), 403, 'access_denied', /admin:a/);
    });
  });

  describe('client authentication: 401 invalid_client', () => {
    test('unknown client, wrong secret, no credentials', async () => {
      assertOAuthError(await postForm({ ...valid, client_id: 'nobody' }), 401, 'invalid_client');
      assertOAuthError(await postForm({ ...valid, client_secret: `${secret}!` }), 401, 'invalid_client');
      const { client_secret: _, ...rest } = valid;
      assertOAuthError(await postForm(rest), 401, 'invalid_client');
    });

    test('a malformed Basic header carries a Basic challenge', async () => {
      const res = await postForm({ grant_type: 'client_credentials', audience }, { authorization: 'Basic !!!' });
      assertOAuthError(res, 401, 'invalid_client');
      assert.match(String(res.headers['www-authenticate']), /^Basic /);
    });

    test('two authentication methods at once is 400 invalid_request (RFC 6749 §2.3)', async () => {
      const basic = `Basic ${Buffer.from(`basic-client:${secret}`).toString('base64')}`;
      assertOAuthError(await postForm({ ...valid, client_id: 'basic-client' }, { authorization: basic }), 400, 'invalid_request');
    });

    test('a client_assertion with the wrong client_assertion_type is 400 invalid_request', async () => {
      const res = await postForm({ grant_type: 'client_credentials', client_id: 'pkj-client', audience, client_assertion: 'e30.e30.e30', client_assertion_type: 'urn:nope' });
      assertOAuthError(res, 400, 'invalid_request');
    });

    test('garbage client assertions are 401 invalid_client', async () => {
      const junk = [
        'garbage',
        'e30.e30.e30',
        `${b64url({ alg: 'none' })}.${b64url({ sub: 'pkj-client' })}.`,
        'x'.repeat(4000),
        // Header members that are not strings (found by the property above: once a 500).
        `${b64url({ alg: { toString: null } })}.${b64url({ sub: 'pkj-client' })}.`,
        `${b64url({ alg: 'RS256', kid: { toString: null } })}.${b64url({ sub: 'pkj-client' })}.`,
        `${b64url({ alg: ['RS256'] })}.${b64url({ sub: 'pkj-client' })}.`,
      ];
      for (const assertion of junk) {
        const res = await postForm({ grant_type: 'client_credentials', client_id: 'pkj-client', audience, client_assertion: assertion, client_assertion_type: assertionType });
        assertOAuthError(res, 401, 'invalid_client');
      }
    });
  });
});
