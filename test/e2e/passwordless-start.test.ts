import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuthApiError, AuthenticationClient } from 'auth0/legacy';
import fc from 'fast-check';
import { localTableName } from '../../infra/tables.ts';
import { createUser, type NewUser } from '../../shared/store/users.ts';
import { form, jsonOf, rawRequest, type RawResponse } from '../support/http-client.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * POST /passwordless/start against the real local server (reference §7.1): codes and magic
 * links by email and SMS read back from `<dataDir>/outbox.jsonl`, Auth0's success bodies and
 * `bad.*` errors, client authentication and the passwordless grant, blocked users and
 * disable_signup answered alike with nothing sent, CORS, the auth0 SDK's sendEmail/sendSMS,
 * and a property: malformed input never gets a 5xx. Rate limits have their own suite below.
 */
const domain = 'pwl.example.test';
const issuer = `https://${domain}/`;
const appOrigin = 'https://app.example.test';
const callback = `${appOrigin}/cb`;
const backendSecret = 'backend-secret-0123456789abcdefghij';
const otpGrant = 'http://auth0.com/oauth/grant-type/passwordless/otp';

function tenantDoc(rateLimits: Record<string, unknown>) {
  return {
    tenant: { friendly_name: 'Acme Corp', rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 }, ...rateLimits } },
    clients: [
      { name: 'Shop', client_id: 'spa-client', app_type: 'spa', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', otpGrant], callbacks: [callback], allowed_origins: [appOrigin] },
      { name: 'No passwordless', client_id: 'nogrant-client', app_type: 'spa', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], callbacks: [callback] },
      { name: 'Elsewhere', client_id: 'other-client', app_type: 'native', token_endpoint_auth_method: 'none', grant_types: [otpGrant], callbacks: ['https://other.test/cb'] },
      {
        name: 'Backend',
        client_id: 'backend-client',
        client_secret: backendSecret,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: [otpGrant],
        callbacks: [callback],
        is_token_endpoint_ip_header_trusted: true,
      },
    ],
    connections: [
      { name: 'Users', strategy: 'auth0', enabled_clients: ['Shop', 'Backend'], options: {} },
      { name: 'email', strategy: 'email', enabled_clients: ['Shop', 'No passwordless', 'Backend'], options: { totp: { time_step: 300, length: 6 } } },
      { name: 'sms', strategy: 'sms', enabled_clients: ['Shop', 'Backend'], options: { template: 'Acme code: @@password@@' } },
      { name: 'closed', strategy: 'email', enabled_clients: ['Shop'], options: { disable_signup: true } },
    ],
  };
}

interface OutboxEntry {
  channel: 'email' | 'sms';
  to: string;
  template: string;
  at: string;
  subject?: string;
  code?: string;
  link?: string;
  text: string;
}

async function outboxOf(server: LocalServer): Promise<OutboxEntry[]> {
  const text = await readFile(join(server.dataDir, 'outbox.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as OutboxEntry);
}

const uniqueEmail = (tag = 'user') => `${tag}-${randomUUID()}@Example.com`;
const uniquePhone = () => `+1555${String(randomBytes(4).readUInt32BE() % 10_000_000).padStart(7, '0')}`;

function startClient(server: () => LocalServer) {
  const post = (body: string | Buffer, headers: Record<string, string>) =>
    rawRequest(`${server().baseUrl}/passwordless/start`, { method: 'POST', headers, body, timeoutMs: 20_000 });
  return {
    post,
    json: (body: unknown, headers: Record<string, string> = {}) => post(JSON.stringify(body), { 'content-type': 'application/json', ...headers }),
    form: (params: Record<string, string>, headers: Record<string, string> = {}) => post(form(params), { 'content-type': 'application/x-www-form-urlencoded', ...headers }),
  };
}

function assertError(res: RawResponse, status: number, error: string, description?: string | RegExp) {
  assert.equal(res.status, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = jsonOf<Record<string, unknown>>(res);
  assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description'], res.body);
  assert.equal(body.error, error, res.body);
  if (typeof description === 'string') assert.equal(body.error_description, description);
  else if (description) assert.match(String(body.error_description), description);
}

describe('POST /passwordless/start', () => {
  let server: LocalServer;
  let prefix: string;
  let db: DynamoDBDocumentClient;
  const start = startClient(() => server);

  before(async () => {
    prefix = `pw${randomBytes(5).toString('hex')}`;
    server = await startLocalServer({ tenant: tenantDoc({ passwordless_start: { burst: 1_000_000, per_second: 1_000_000 }, sms: { burst: 1_000_000, per_second: 1_000_000 }, email: { burst: 1_000_000, per_second: 1_000_000 } }), issuer, env: { PORTCULLIS_TABLE_PREFIX: prefix } });
    db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  });
  after(() => server?.stop());

  const outbox = () => outboxOf(server);
  const messagesTo = async (to: string) => (await outbox()).filter((m) => m.to === to);
  /** A user stored directly (the tenant file imports into database connections only). */
  const storeUser = async (user: NewUser & { blocked?: boolean }, idPrefix: 'email' | 'sms') => {
    const created = await createUser(user, { tableName: localTableName('users', prefix), client: db, idPrefix });
    assert.ok(created.ok);
  };

  describe('success', () => {
    test('email code (JSON, public client): Auth0 body, the code in the outbox, X-RateLimit-* headers', async () => {
      const email = uniqueEmail('code');
      const res = await start.json({ client_id: 'spa-client', connection: 'email', email, send: 'code' });
      assert.equal(res.status, 200, res.body);
      const body = jsonOf<Record<string, unknown>>(res);
      assert.deepEqual(Object.keys(body), ['_id', 'email', 'email_verified']);
      assert.match(String(body._id), /^[0-9a-f]{24}$/);
      assert.equal(body.email, email.toLowerCase());
      assert.equal(body.email_verified, false);
      assert.match(String(res.headers['x-ratelimit-limit']), /^\d+$/);
      assert.match(String(res.headers['x-ratelimit-remaining']), /^\d+$/);
      assert.match(String(res.headers['x-ratelimit-reset']), /^\d+$/);
      const [mail, ...more] = await messagesTo(email.toLowerCase());
      assert.equal(more.length, 0);
      assert.equal(mail?.channel, 'email');
      assert.equal(mail.template, 'passwordless_code');
      assert.match(String(mail.code), /^\d{6}$/);
      assert.equal(mail.link, undefined);
      assert.ok(mail.text.includes(mail.code!));
      assert.match(mail.text, /5 minutes/, 'the connection’s totp.time_step');
      assert.equal(mail.subject, 'Your Acme Corp verification code');
    });

    test('SMS code (form body): Auth0 body with request_language, the tenant template in the outbox', async () => {
      const phone = uniquePhone();
      const res = await start.form({ client_id: 'spa-client', connection: 'sms', phone_number: phone, send: 'code' }, { 'x-request-language': 'fr-CA' });
      assert.equal(res.status, 200, res.body);
      const body = jsonOf<Record<string, unknown>>(res);
      assert.deepEqual(body, { _id: body._id, phone_number: phone, phone_verified: false, request_language: 'fr-CA' });
      const [sms, ...more] = await messagesTo(phone);
      assert.equal(more.length, 0);
      assert.equal(sms?.channel, 'sms');
      assert.equal('subject' in sms, false);
      assert.equal(sms.template, 'passwordless_sms');
      assert.match(String(sms.code), /^\d{6}$/);
      assert.equal(sms.text, `Acme code: ${sms.code}`);
    });

    test('no x-request-language: request_language from Accept-Language, else null', async () => {
      const a = await start.json({ client_id: 'spa-client', connection: 'sms', phone_number: uniquePhone(), send: 'code' }, { 'accept-language': 'de-DE,de;q=0.9' });
      assert.equal(jsonOf<Record<string, unknown>>(a).request_language, 'de-DE');
      const b = await start.json({ client_id: 'spa-client', connection: 'sms', phone_number: uniquePhone(), send: 'code' });
      assert.equal(jsonOf<Record<string, unknown>>(b).request_language, null);
    });

    test('magic link (the default send for email) carries the client, identity, code and authParams to verify_redirect', async () => {
      const email = uniqueEmail('link');
      const authParams = { redirect_uri: callback, response_type: 'code', scope: 'openid email', state: 's-1', nonce: 'n-1', code_challenge: 'c'.repeat(43), code_challenge_method: 'S256', junk: 'not carried' };
      const res = await start.json({ client_id: 'spa-client', connection: 'email', email, authParams });
      assert.equal(res.status, 200, res.body);
      const [mail] = await messagesTo(email.toLowerCase());
      assert.equal(mail?.template, 'passwordless_link');
      const link = new URL(String(mail.link));
      assert.equal(`${link.origin}${link.pathname}`, `${issuer}passwordless/verify_redirect`);
      const q = Object.fromEntries(link.searchParams);
      assert.deepEqual(q, {
        client_id: 'spa-client',
        connection: 'email',
        email: email.toLowerCase(),
        verification_code: mail.code,
        redirect_uri: callback,
        response_type: 'code',
        scope: 'openid email',
        state: 's-1',
        nonce: 'n-1',
        code_challenge: 'c'.repeat(43),
        code_challenge_method: 'S256',
      });
      assert.match(String(q.verification_code), /^\d{6}$/);
      assert.ok(mail.text.includes(link.toString()));
    });

    test('form body: authParams[...] keys are gathered into authParams', async () => {
      const email = uniqueEmail('formlink');
      const res = await start.form({ client_id: 'spa-client', connection: 'email', email, send: 'link', 'authParams[redirect_uri]': callback, 'authParams[state]': 'xyz' });
      assert.equal(res.status, 200, res.body);
      const link = new URL(String((await messagesTo(email.toLowerCase()))[0]?.link));
      assert.equal(link.searchParams.get('redirect_uri'), callback);
      assert.equal(link.searchParams.get('state'), 'xyz');
    });

    test('confidential client with its secret: 200; the same request without the secret: 401', async () => {
      const email = uniqueEmail('backend');
      const ok = await start.json({ client_id: 'backend-client', client_secret: backendSecret, connection: 'email', email, send: 'code' });
      assert.equal(ok.status, 200, ok.body);
      assert.equal((await messagesTo(email.toLowerCase())).length, 1);
      assertError(await start.json({ client_id: 'backend-client', connection: 'email', email, send: 'code' }), 401, 'invalid_client');
      assertError(await start.json({ client_id: 'backend-client', client_secret: 'wrong', connection: 'email', email, send: 'code' }), 401, 'invalid_client');
      assert.equal((await messagesTo(email.toLowerCase())).length, 1, 'refused requests sent nothing');
    });
  });

  describe('nothing sent, same answer', () => {
    /** What an answer shows apart from its per-request values (`_id`, the echoed identity, dates, request ids). */
    const shape = (res: RawResponse) => ({
      status: res.status,
      body: Object.entries(jsonOf<Record<string, unknown>>(res)).map(([k, v]) => [k, k === '_id' || k === 'email' || k === 'phone_number' ? typeof v : v]),
      headers: Object.keys(res.headers).filter((h) => !['date', 'x-request-id', 'content-length'].includes(h)).sort(),
      limit: res.headers['x-ratelimit-limit'],
    });

    test('blocked, unknown on disable_signup, and sent: one answer shape (status, body fields, header names)', async () => {
      const blocked = uniqueEmail('shape-blocked').toLowerCase();
      await storeUser({ connection: 'email', email: blocked, email_verified: true, user_metadata: {}, app_metadata: {}, blocked: true } as NewUser, 'email');
      const sent = shape(await start.json({ client_id: 'spa-client', connection: 'email', email: uniqueEmail('shape-sent'), send: 'code' }));
      assert.equal(sent.status, 200);
      assert.deepEqual(shape(await start.json({ client_id: 'spa-client', connection: 'email', email: blocked, send: 'code' })), sent);
      assert.deepEqual(shape(await start.json({ client_id: 'spa-client', connection: 'closed', email: uniqueEmail('shape-nobody'), send: 'code' })), sent);
    });

    test('a blocked user gets no code, and the same 200 as anyone', async () => {
      const email = uniqueEmail('blocked').toLowerCase();
      await storeUser({ connection: 'email', email, email_verified: true, user_metadata: {}, app_metadata: {}, blocked: true } as NewUser, 'email');
      const res = await start.json({ client_id: 'spa-client', connection: 'email', email, send: 'code' });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(Object.keys(jsonOf<Record<string, unknown>>(res)), ['_id', 'email', 'email_verified']);
      assert.equal((await messagesTo(email)).length, 0);
      const phone = uniquePhone();
      await storeUser({ connection: 'sms', phone_number: phone, email_verified: false, user_metadata: {}, app_metadata: {}, blocked: true } as NewUser, 'sms');
      assert.equal((await start.json({ client_id: 'spa-client', connection: 'sms', phone_number: phone, send: 'code' })).status, 200);
      assert.equal((await messagesTo(phone)).length, 0);
    });

    test('disable_signup: an unknown address gets nothing (same 200); a known user gets the code', async () => {
      const unknown = uniqueEmail('nobody').toLowerCase();
      const res = await start.json({ client_id: 'spa-client', connection: 'closed', email: unknown, send: 'code' });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(Object.keys(jsonOf<Record<string, unknown>>(res)), ['_id', 'email', 'email_verified']);
      assert.equal((await messagesTo(unknown)).length, 0);
      const known = uniqueEmail('member').toLowerCase();
      await storeUser({ connection: 'closed', email: known, email_verified: true, user_metadata: {}, app_metadata: {} }, 'email');
      assert.equal((await start.json({ client_id: 'spa-client', connection: 'closed', email: known, send: 'code' })).status, 200);
      assert.equal((await messagesTo(known)).length, 1);
    });
  });

  describe("Auth0's errors", () => {
    const email = 'errors@example.com';
    const cases: [string, unknown, number, string, string | RegExp][] = [
      ['missing client_id', { connection: 'email', email }, 400, 'bad.client_id', 'Missing required property: client_id'],
      ['missing connection', { client_id: 'spa-client', email }, 400, 'bad.connection', 'Missing required property: connection'],
      ['unknown properties', { client_id: 'spa-client', connection: 'email', email, foo: 1, bar: 2 }, 400, 'bad.request', 'the following properties are not allowed: foo, bar'],
      ['connection that does not exist', { client_id: 'spa-client', connection: 'nope', email }, 400, 'bad.connection', 'Connection does not exist'],
      ['a database connection', { client_id: 'spa-client', connection: 'Users', email }, 400, 'bad.connection', 'Invalid connection strategy. It must either be a passwordless connection'],
      ['connection not enabled for the client', { client_id: 'other-client', connection: 'email', email }, 400, 'bad.connection', 'Connection is disabled'],
      ['missing email', { client_id: 'spa-client', connection: 'email' }, 400, 'bad.email', 'Missing required property: email'],
      ['malformed email', { client_id: 'spa-client', connection: 'email', email: 'food' }, 400, 'bad.email', 'error in email - email format validation failed: food'],
      ['missing phone_number', { client_id: 'spa-client', connection: 'sms' }, 400, 'bad.phone_number', 'Missing required property: phone_number'],
      ['phone_number not E.164', { client_id: 'spa-client', connection: 'sms', phone_number: '555-1234' }, 400, 'bad.phone_number', 'String does not match pattern: ^\\+[0-9]{1,15}$'],
      ['unknown send', { client_id: 'spa-client', connection: 'email', email, send: 'pigeon' }, 400, 'bad.send', /send must be one of/],
      ['a number where a string belongs', { client_id: 'spa-client', connection: 42, email }, 400, 'bad.connection', /Expected type string but found type number/],
      ['authParams not an object', { client_id: 'spa-client', connection: 'email', email, authParams: 'scope=openid' }, 400, 'bad.authParams', /Expected type object/],
      ['authParams.redirect_uri not registered', { client_id: 'spa-client', connection: 'email', email, authParams: { redirect_uri: 'https://evil.test/cb' } }, 400, 'bad.authParams', /redirect_uri is not an Allowed Callback URL/],
      ['authParams.scope not a string', { client_id: 'spa-client', connection: 'email', email, authParams: { scope: ['openid'] } }, 400, 'bad.authParams', 'scope must be a string'],
      ['authParams.response_type unknown', { client_id: 'spa-client', connection: 'email', email, authParams: { response_type: 'magic' } }, 400, 'bad.authParams', /Unsupported response_type/],
      ['unknown client', { client_id: 'who', connection: 'email', email }, 401, 'invalid_client', 'Client authentication failed'],
      ['client without the passwordless grant', { client_id: 'nogrant-client', connection: 'email', email }, 403, 'unauthorized_client', `Grant type '${otpGrant}' not allowed for the client.`],
    ];
    for (const [name, body, status, error, description] of cases) {
      test(`${name} → ${status} ${error}`, async () => {
        const res = await start.json(body);
        assertError(res, status, error, description);
        // The global bucket's headers are on refusals too (reference §16.1).
        assert.match(String(res.headers['x-ratelimit-limit']), /^\d+$/);
      });
    }

    test('malformed bodies: bad.request, nothing sent', async () => {
      assertError(await start.post('{"client_id":', { 'content-type': 'application/json' }), 400, 'bad.request', 'Malformed JSON body');
      assertError(await start.post('[1]', { 'content-type': 'application/json' }), 400, 'bad.request', 'JSON body must be an object');
      assertError(await start.post('client_id=a', { 'content-type': 'text/plain' }), 400, 'bad.request');
      assertError(await start.post('client_id=a&client_id=b', { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'bad.request');
      // JSON.parse would keep the last `email` (this test's inbox) and send it a code; refused as the form repeat is.
      const repeated = `{"client_id":"spa-client","connection":"email","send":"code","email":"other@example.com","email":${JSON.stringify(email)}}`;
      assertError(await start.post(repeated, { 'content-type': 'application/json' }), 400, 'bad.request', "'email' parameter must not be provided more than once");
      assert.equal((await outbox()).filter((m) => m.to === email).length, 0);
    });

    test('CORS: an origin the client does not allow is refused; its own origin gets Access-Control-Allow-Origin', async () => {
      const denied = await start.json({ client_id: 'spa-client', connection: 'email', email, send: 'code' }, { origin: 'https://evil.test' });
      assertError(denied, 403, 'access_denied');
      const allowed = await start.json({ client_id: 'spa-client', connection: 'email', email, send: 'code' }, { origin: appOrigin });
      assert.equal(allowed.status, 200, allowed.body);
      assert.equal(allowed.headers['access-control-allow-origin'], appOrigin);
      const preflight = await rawRequest(`${server.baseUrl}/passwordless/start`, { method: 'OPTIONS', headers: { origin: appOrigin, 'access-control-request-method': 'POST' } });
      assert.equal(preflight.status, 204);
    });

    test('GET is not allowed', async () => {
      const res = await rawRequest(`${server.baseUrl}/passwordless/start`);
      assert.ok(res.status === 405 || res.status === 404 || res.status === 403, `${res.status}`);
      assert.ok(res.status < 500);
    });
  });

  describe('the auth0 SDK (AuthenticationClient from auth0/legacy)', () => {
    /** The SDK builds https://pwl.example.test/…; deliver it to the local listener, as a TLS proxy would. */
    const proxyFetch: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      assert.equal(url.origin, `https://${domain}`);
      return fetch(`${server.baseUrl}${url.pathname}${url.search}`, init);
    };

    // node-auth0 is a server-side SDK: it refuses to call /passwordless/start without a client
    // secret or assertion, so it speaks for the confidential client (public clients: raw HTTP above).
    const sdk = () => new AuthenticationClient({ domain, clientId: 'backend-client', clientSecret: backendSecret, fetch: proxyFetch });

    test('passwordless.sendEmail (code) puts a code in the outbox', async () => {
      const email = uniqueEmail('sdk');
      const { status } = await sdk().passwordless.sendEmail({ email, send: 'code' });
      assert.equal(status, 200);
      const [mail] = await messagesTo(email.toLowerCase());
      assert.match(String(mail?.code), /^\d{6}$/);
    });

    test('passwordless.sendSMS puts a code in the outbox', async () => {
      const phone = uniquePhone();
      const { status } = await sdk().passwordless.sendSMS({ phone_number: phone });
      assert.equal(status, 200);
      const [sms] = await messagesTo(phone);
      assert.equal(sms?.channel, 'sms');
      assert.match(String(sms.code), /^\d{6}$/);
    });

    test('passwordless.sendEmail (link with authParams)', async () => {
      const email = uniqueEmail('sdk-link');
      const { status } = await sdk().passwordless.sendEmail({ email, send: 'link', authParams: { redirect_uri: callback, scope: 'openid', response_type: 'code' } });
      assert.equal(status, 200);
      const link = new URL(String((await messagesTo(email.toLowerCase()))[0]?.link));
      assert.equal(link.searchParams.get('client_id'), 'backend-client');
      assert.equal(link.searchParams.get('redirect_uri'), callback);
    });

    test('SDK errors carry the bad.* code', async () => {
      await assert.rejects(sdk().passwordless.sendSMS({ phone_number: '12345' }), (error: unknown) => {
        assert.ok(error instanceof AuthApiError);
        assert.equal(error.error, 'bad.phone_number');
        assert.equal(error.statusCode, 400);
        return true;
      });
    });
  });

  test('property: malformed input never gets a 5xx, and refusals are JSON with an error code', async () => {
    const fields = ['client_id', 'client_secret', 'connection', 'email', 'phone_number', 'send', 'authParams', 'client_assertion', 'client_assertion_type', '__proto__', 'constructor'];
    const scalar = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('spa-client', 'backend-client', 'nogrant-client', 'email', 'sms', 'closed', 'Users', 'code', 'link', 'link_ios', 'x@y.z', '+15550000000', callback, '', ' '),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    const authParams = fc.dictionary(fc.constantFrom('redirect_uri', 'scope', 'state', 'response_type', 'response_mode', 'code_challenge_method', 'x'), scalar, { maxKeys: 5 });
    const member = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), authParams, fc.dictionary(fc.string({ maxLength: 12 }), scalar, { maxKeys: 6 }));
    const object = fc.dictionary(fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 10 })), member, { maxKeys: 8 });
    const flat = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    const body = fc.oneof(
      object.map((o) => ({ contentType: 'application/json', body: Buffer.from(JSON.stringify(o)) })),
      object.map((o) => ({ contentType: 'application/x-www-form-urlencoded', body: Buffer.from(form(flat(o))) })),
      fc.dictionary(fc.constantFrom('authParams[scope]', 'authParams[redirect_uri]', 'authParams', 'client_id', 'connection', 'email', 'authParams[]', 'authParams[__proto__]'), fc.string({ maxLength: 30 }), { maxKeys: 6 }).map((o) => ({
        contentType: 'application/x-www-form-urlencoded',
        body: Buffer.from(form(o)),
      })),
      fc.json().map((j) => ({ contentType: 'application/json', body: Buffer.from(j) })),
      fc.string({ maxLength: 200 }).map((s) => ({ contentType: 'application/json', body: Buffer.from(s) })),
      fc.string({ maxLength: 200 }).map((s) => ({ contentType: 'application/x-www-form-urlencoded', body: Buffer.from(s) })),
      fc.uint8Array({ maxLength: 64 }).map((b) => ({ contentType: 'application/json', body: Buffer.from(b) })),
      fc.tuple(fc.constantFrom(undefined, 'text/plain', 'multipart/form-data', 'application/json; charset=latin1', ''), fc.string({ maxLength: 60 })).map(([contentType, s]) => ({ contentType, body: Buffer.from(s) })),
    );
    const headers = fc.record({ origin: fc.constantFrom(undefined, appOrigin, 'https://evil.test', 'null'), forwarded: fc.constantFrom(undefined, '203.0.113.5', 'not-an-ip', '::1'), language: fc.constantFrom(undefined, 'fr', 'x'.repeat(300), '; ;') });
    await fc.assert(
      fc.asyncProperty(body, headers, async ({ contentType, body }, h) => {
        const sent: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
        if (h.origin) sent.origin = h.origin;
        if (h.forwarded) sent['auth0-forwarded-for'] = h.forwarded;
        if (h.language) sent['x-request-language'] = h.language;
        const res = await start.post(body, sent);
        assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `→ ${res.status}: ${res.body.slice(0, 300)}`);
        const parsed = jsonOf<Record<string, unknown>>(res);
        if (res.status >= 400) assert.ok(typeof parsed.error === 'string' && typeof parsed.error_description === 'string', res.body);
      }),
      { numRuns: 300 },
    );
    assert.doesNotMatch(server.output(), /"level":"error"|unhandled error/, 'no request reached the unhandled-error path');
  });
});

/**
 * Rate limits (reference §16.3): `passwordless_start` per IP and `sms` / `email` per recipient, small
 * here through the tenant file's `rate_limits`; `auth0-forwarded-for` moves a trusted
 * backend's requests to the end user's bucket, and nobody else's. No durations asserted.
 */
describe('POST /passwordless/start rate limits', () => {
  let server: LocalServer;
  const start = startClient(() => server);
  before(async () => {
    server = await startLocalServer({ tenant: tenantDoc({ passwordless_start: { burst: 3, per_minute: 1 }, sms: { burst: 2, per_minute: 1 }, email: { burst: 3, per_minute: 1 } }), issuer });
  });
  after(() => server?.stop());

  const asBackend = (body: Record<string, unknown>, ip: string) => start.json({ client_id: 'backend-client', client_secret: backendSecret, ...body }, { 'auth0-forwarded-for': ip });

  test('per IP: 3 answers counting down, then 429 too_many_requests with Retry-After; validation errors do not spend it', async () => {
    assertError(await start.json({ client_id: 'spa-client', connection: 'email', email: 'bad' }), 400, 'bad.email');
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await start.json({ client_id: 'spa-client', connection: 'email', email: uniqueEmail('rl'), send: 'code' });
      assert.equal(res.status, 200, res.body);
      assert.equal(res.headers['x-ratelimit-limit'], '3');
      remaining.push(String(res.headers['x-ratelimit-remaining']));
    }
    assert.deepEqual(remaining, ['2', '1', '0']);
    const email = uniqueEmail('refused');
    const refused = await start.json({ client_id: 'spa-client', connection: 'email', email, send: 'code' });
    assertError(refused, 429, 'too_many_requests');
    assert.equal(refused.headers['x-ratelimit-limit'], '3');
    assert.equal(refused.headers['x-ratelimit-remaining'], '0');
    assert.match(String(refused.headers['x-ratelimit-reset']), /^\d+$/);
    assert.match(String(refused.headers['retry-after']), /^[1-9]\d*$/);
    assert.equal((await outboxOf(server)).filter((m) => m.to === email.toLowerCase()).length, 0, 'nothing sent when refused');

    // A public client cannot move itself to another bucket with the header…
    assertError(await start.json({ client_id: 'spa-client', connection: 'email', email, send: 'code' }, { 'auth0-forwarded-for': '198.51.100.1' }), 429, 'too_many_requests');
    // …a trusted backend speaks for its end user, who has a bucket of their own.
    const forwarded = await asBackend({ connection: 'email', email, send: 'code' }, '198.51.100.1');
    assert.equal(forwarded.status, 200, forwarded.body);
    assert.equal(forwarded.headers['x-ratelimit-remaining'], '2');
  });

  test('SMS per recipient: a phone gets 2, then 429 from any IP; another phone is unaffected', async () => {
    const phone = uniquePhone();
    for (const ip of ['198.51.100.10', '198.51.100.11']) assert.equal((await asBackend({ connection: 'sms', phone_number: phone, send: 'code' }, ip)).status, 200);
    const refused = await asBackend({ connection: 'sms', phone_number: phone, send: 'code' }, '198.51.100.12');
    assertError(refused, 429, 'too_many_requests');
    assert.equal(refused.headers['x-ratelimit-limit'], '2');
    assert.equal((await outboxOf(server)).filter((m) => m.to === phone).length, 2);
    assert.equal((await asBackend({ connection: 'sms', phone_number: uniquePhone(), send: 'code' }, '198.51.100.13')).status, 200);
  });

  test('email per recipient: an inbox gets 3 (codes or links), then 429 from any IP with X-RateLimit-*; another inbox is unaffected', async () => {
    const email = uniqueEmail('inbox').toLowerCase();
    const remaining: string[] = [];
    for (const [ip, send] of [['198.51.100.20', 'code'], ['198.51.100.21', 'link'], ['198.51.100.22', 'code']] as const) {
      const res = await asBackend({ connection: 'email', email, send }, ip);
      assert.equal(res.status, 200, res.body);
      remaining.push(String(res.headers['x-ratelimit-remaining']));
    }
    // Each IP's own bucket still has 2: the headers are the inbox's, the tighter one.
    assert.deepEqual(remaining, ['2', '1', '0']);
    const refused = await asBackend({ connection: 'email', email, send: 'code' }, '198.51.100.23');
    assertError(refused, 429, 'too_many_requests');
    assert.equal(refused.headers['x-ratelimit-limit'], '3');
    assert.equal(refused.headers['x-ratelimit-remaining'], '0');
    assert.match(String(refused.headers['x-ratelimit-reset']), /^\d+$/);
    assert.match(String(refused.headers['retry-after']), /^[1-9]\d*$/);
    assert.equal((await outboxOf(server)).filter((m) => m.to === email).length, 3, 'nothing sent when refused');
    assert.equal((await asBackend({ connection: 'email', email: uniqueEmail('inbox2'), send: 'code' }, '198.51.100.24')).status, 200);
  });
});
