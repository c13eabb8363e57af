import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
// node-auth0 v7 keeps the v4 AuthenticationClient (with its passwordless API) under `auth0/legacy`.
import { AuthenticationClient } from 'auth0/legacy';
import { decodeJwt } from 'jose';
import { localTableName } from '../../infra/tables.ts';
import { readOutbox } from '../support/browser.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * Passwordless login through /oauth/token (reference §3.7, §7.1): the auth0 SDK's
 * `passwordless.sendEmail` / `sendSMS` then `loginWithEmail` / `loginWithSMS` (the SDK checks
 * the ID token itself: signature from the JWKS, iss, aud), with the codes read from the local
 * outbox; then raw HTTP for what the SDK never sends: wrong, reused, killed, superseded,
 * expired and foreign codes, disable_signup, a blocked user, the realm and client checks, and
 * concurrent right answers (one winner).
 */
const domain = 'pwl.example.test';
const issuer = `https://${domain}/`;
const audience = 'https://api.pwl.test/';
const secret = 'pwl-web-secret-0123456789abcdefghij';
const otp = 'http://auth0.com/oauth/grant-type/passwordless/otp';
const tablePrefix = `pwl${randomBytes(5).toString('hex')}`;

const tenant = {
  tenant: { friendly_name: 'Passwordless E2E', rate_limits: { passwordless_start: { burst: 10_000, per_second: 100 }, sms: { burst: 10_000, per_second: 100 } } },
  // Every request comes from 127.0.0.1: the IP throttle would otherwise see one attacker.
  attackProtection: { suspiciousIpThrottling: { enabled: true, allowlist: ['127.0.0.1'] } },
  resourceServers: [{ name: 'API', identifier: audience, scopes: [{ value: 'read:a' }], allow_offline_access: true }],
  clients: [
    { name: 'Native', client_id: 'pwl-native', app_type: 'native', token_endpoint_auth_method: 'none', grant_types: [otp, 'refresh_token'], callbacks: ['https://app.pwl.test/cb'] },
    { name: 'Web', client_id: 'pwl-web', client_secret: secret, app_type: 'regular_web', token_endpoint_auth_method: 'client_secret_post', grant_types: [otp], callbacks: ['https://web.pwl.test/cb'] },
    { name: 'Other', client_id: 'pwl-other', app_type: 'native', token_endpoint_auth_method: 'none', grant_types: [otp] },
    { name: 'SPA', client_id: 'pwl-spa', app_type: 'spa', token_endpoint_auth_method: 'none', grant_types: [otp], callbacks: ['https://spa.pwl.test/cb'] },
    // A backend that speaks for its end users (auth0-forwarded-for), at /passwordless/start and /oauth/token.
    { name: 'Trusted', client_id: 'pwl-trusted', client_secret: secret, token_endpoint_auth_method: 'client_secret_post', grant_types: [otp], is_token_endpoint_ip_header_trusted: true },
    { name: 'NoGrant', client_id: 'pwl-nogrant', app_type: 'native', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], callbacks: ['https://ng.pwl.test/cb'] },
  ],
  connections: [
    { name: 'email', strategy: 'email', enabled_clients: ['pwl-native', 'pwl-web', 'pwl-other', 'pwl-spa', 'pwl-nogrant', 'pwl-trusted'], options: {} },
    // Brute-force protection off: only the per-identity failure bucket stands between an attacker and the codes.
    { name: 'email-nobf', strategy: 'email', enabled_clients: ['pwl-trusted'], options: { brute_force_protection: false } },
    { name: 'sms', strategy: 'sms', enabled_clients: ['pwl-native', 'pwl-web'], options: {} },
    { name: 'email-closed', strategy: 'email', enabled_clients: ['pwl-native'], options: { disable_signup: true } },
    // Auth0's shortest code lifetime (60 s), for the expiry test at the end of the file.
    { name: 'email-short', strategy: 'email', enabled_clients: ['pwl-native'], options: { totp: { time_step: 60, length: 6 } } },
    { name: 'Username-Password-Authentication', strategy: 'auth0', enabled_clients: ['pwl-native'] },
  ],
};

const freshEmail = () => `pwl-${randomUUID()}@example.com`;
const freshPhone = () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
const wrongOf = (code: string) => String((Number(code) + 1) % 10 ** code.length).padStart(code.length, '0');

describe('passwordless login at /oauth/token', () => {
  let server: LocalServer;
  let users: DynamoDBDocumentClient;
  let shortCode: { email: string; code: string; sentAt: number };

  /** The SDK's https://pwl.example.test URLs, delivered to the local listener (a TLS-terminating proxy would). */
  const proxyFetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    assert.equal(url.origin, `https://${domain}`);
    // The SDK hands its `agent` (meant for the JWKS download) to fetch as the dispatcher.
    const { dispatcher: _agent, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
    return fetch(`${server.baseUrl}${url.pathname}${url.search}`, rest);
  };
  /** The same for the SDK's JWKS download (jose 4 over https.get with the SDK's `agent`): plain TCP to the local port. */
  const jwksAgent = () => Object.assign(new https.Agent(), { createConnection: () => net.connect(server.port, '127.0.0.1') });
  /** node-auth0 is a backend SDK: it always authenticates the client (here with the secret). */
  const sdk = () => new AuthenticationClient({ domain, clientId: 'pwl-web', clientSecret: secret, fetch: proxyFetch, agent: jwksAgent() } as unknown as ConstructorParameters<typeof AuthenticationClient>[0]);

  /** The code of the newest message to `to` (the outbox is written before /passwordless/start answers). */
  const codeFor = async (to: string): Promise<string> => {
    const found = (await readOutbox(server.dataDir)).filter((m) => m.to === to && typeof m.code === 'string').at(-1);
    assert.ok(found?.code, `no code for ${to} in the outbox`);
    return found.code;
  };
  const start = async (body: Record<string, unknown>) => {
    const res = await fetch(`${server.baseUrl}/passwordless/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ send: 'code', ...body }) });
    assert.equal(res.status, 200, await res.clone().text());
  };
  const sendCode = async (email: string, clientId = 'pwl-native', connection = 'email') => {
    await start({ client_id: clientId, connection, email });
    return codeFor(email);
  };
  const token = async (params: Record<string, string>) => {
    const res = await fetch(`${server.baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: otp, client_id: 'pwl-native', realm: 'email', scope: 'openid email', ...params }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const refusal = (status: number, error: string, description?: string) => (res: { status: number; body: Record<string, unknown> }) => {
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body.error, error);
    if (description !== undefined) assert.equal(res.body.error_description, description);
  };
  const wrongEmail = refusal(403, 'invalid_grant', 'Wrong email or verification code.');

  before(async () => {
    server = await startLocalServer({ tenant, issuer, env: { PORTCULLIS_TABLE_PREFIX: tablePrefix } });
    users = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    // Sent now, tried last: the rest of the file runs while it expires.
    const email = freshEmail();
    shortCode = { email, code: await sendCode(email, 'pwl-native', 'email-short'), sentAt: Date.now() };
  });
  after(async () => {
    await server?.stop();
  });

  test('SDK: sendEmail then loginWithEmail; a verified ID token for a new email| user, the same user next time', async () => {
    const client = sdk();
    const email = freshEmail();
    await client.passwordless.sendEmail({ email, send: 'code' });
    const first = await client.passwordless.loginWithEmail({ email, code: await codeFor(email), scope: 'openid profile email offline_access', audience });
    const id = decodeJwt(first.data.id_token!);
    assert.match(String(id.sub), /^email\|[0-9a-f]{24}$/);
    assert.equal(id.iss, issuer);
    assert.equal(id.aud, 'pwl-web');
    assert.equal(id.email, email);
    assert.equal(id.email_verified, true);
    assert.equal(first.data.token_type, 'Bearer');
    const access = decodeJwt(first.data.access_token);
    assert.ok([access.aud].flat().includes(audience));
    assert.equal(access.gty, undefined, 'reference §15.1: no gty on passwordless tokens');
    assert.ok(first.data.refresh_token, 'offline_access with an API that allows it');

    await client.passwordless.sendEmail({ email: email.toUpperCase(), send: 'code' });
    const again = await client.passwordless.loginWithEmail({ email, code: await codeFor(email), scope: 'openid' });
    assert.equal(decodeJwt(again.data.id_token!).sub, id.sub, 'the first login created the user; the second found it');
  });

  test('SDK: sendSMS then loginWithSMS; an sms| user with its phone number', async () => {
    const client = sdk();
    const phone_number = freshPhone();
    // The SDK's sendSMS has no `send` (it is the default, `link`): the SMS still carries the code.
    await client.passwordless.sendSMS({ phone_number });
    const res = await client.passwordless.loginWithSMS({ phone_number, code: await codeFor(phone_number), scope: 'openid phone' });
    const id = decodeJwt(res.data.id_token!);
    assert.match(String(id.sub), /^sms\|[0-9a-f]{24}$/);
    assert.equal(id.phone_number, phone_number);
    assert.equal(id.email, undefined);
  });

  test('a confidential client without its secret: 401, and the code is not spent; a public client needs none', async () => {
    const email = freshEmail();
    await sdk().passwordless.sendEmail({ email, send: 'code' });
    const code = await codeFor(email);
    const refused = await token({ client_id: 'pwl-web', username: email, otp: code });
    assert.equal(refused.status, 401, JSON.stringify(refused.body));
    const res = await sdk().passwordless.loginWithEmail({ email, code, scope: 'openid email' });
    assert.equal(decodeJwt(res.data.id_token!).aud, 'pwl-web');
    const publicEmail = freshEmail();
    const ok = await token({ username: publicEmail, otp: await sendCode(publicEmail) });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(decodeJwt(String(ok.body.id_token)).aud, 'pwl-native');
  });

  test('wrong, then right: a wrong code is Auth0’s 403; the right one still works once, then never again', async () => {
    const email = freshEmail();
    const code = await sendCode(email);
    wrongEmail(await token({ username: email, otp: wrongOf(code) }));
    const ok = await token({ username: email, otp: code });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    wrongEmail(await token({ username: email, otp: code }));
  });

  test('three wrong codes kill it; only the latest code is valid; another client’s code is refused', async () => {
    const email = freshEmail();
    const code = await sendCode(email);
    for (let i = 0; i < 3; i++) wrongEmail(await token({ username: email, otp: wrongOf(code) }));
    wrongEmail(await token({ username: email, otp: code }));

    const older = await sendCode(email);
    const latest = await sendCode(email);
    if (older !== latest) wrongEmail(await token({ username: email, otp: older }));
    assert.equal((await token({ username: email, otp: latest })).status, 200);

    const foreign = await sendCode(email, 'pwl-other');
    wrongEmail(await token({ username: email, otp: foreign }));
    assert.equal((await token({ client_id: 'pwl-other', username: email, otp: foreign })).status, 200);
  });

  test('per identity: re-sends from many IPs do not reset the failures; after 10 wrong codes even the right one is 429 too_many_attempts', async () => {
    const email = freshEmail();
    const asUser = (ip: string) => ({ 'content-type': 'application/json', 'auth0-forwarded-for': ip });
    const statuses: number[] = [];
    let latest = '';
    for (let round = 0; round < 4; round++) {
      // Each round a new code from a new end-user IP: its three strikes start again…
      const ip = `198.51.100.${40 + round}`;
      const sent = await fetch(`${server.baseUrl}/passwordless/start`, {
        method: 'POST',
        headers: asUser(ip),
        body: JSON.stringify({ client_id: 'pwl-trusted', client_secret: secret, connection: 'email-nobf', email, send: 'code' }),
      });
      assert.equal(sent.status, 200, await sent.text());
      latest = await codeFor(email);
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${server.baseUrl}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'auth0-forwarded-for': ip },
          body: new URLSearchParams({ grant_type: otp, client_id: 'pwl-trusted', client_secret: secret, realm: 'email-nobf', username: email, otp: wrongOf(latest) }),
        });
        const body = (await res.json()) as Record<string, unknown>;
        statuses.push(res.status);
        if (res.status === 429) {
          assert.equal(body.error, 'too_many_attempts');
          assert.match(String(res.headers.get('retry-after')), /^[1-9]\d*$/);
        } else wrongEmail({ status: res.status, body });
      }
    }
    // …but the identity's own bucket does not: 10 wrong answers, then refusals.
    assert.deepEqual(statuses, [...Array(10).fill(403), 429, 429]);
    const right = await fetch(`${server.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'auth0-forwarded-for': '198.51.100.49' },
      body: new URLSearchParams({ grant_type: otp, client_id: 'pwl-trusted', client_secret: secret, realm: 'email-nobf', username: email, otp: latest }),
    });
    // The last round's code is still live (one strike counted, two refused): right, and refused while the bucket is empty; so is a fresh one.
    assert.equal(right.status, 429);
    const fresh = await fetch(`${server.baseUrl}/passwordless/start`, {
      method: 'POST',
      headers: asUser('198.51.100.50'),
      body: JSON.stringify({ client_id: 'pwl-trusted', client_secret: secret, connection: 'email-nobf', email, send: 'code' }),
    });
    assert.equal(fresh.status, 200);
    const refused = await fetch(`${server.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'auth0-forwarded-for': '198.51.100.50' },
      body: new URLSearchParams({ grant_type: otp, client_id: 'pwl-trusted', client_secret: secret, realm: 'email-nobf', username: email, otp: await codeFor(email) }),
    });
    assert.equal(refused.status, 429, 'the right code is refused while the identity’s bucket is empty');
    assert.equal(((await refused.json()) as Record<string, unknown>).error, 'too_many_attempts');
    // Another identity on the same connection is unaffected.
    const other = freshEmail();
    await start({ client_id: 'pwl-trusted', client_secret: secret, connection: 'email-nobf', email: other });
    const ok = await token({ client_id: 'pwl-trusted', client_secret: secret, realm: 'email-nobf', username: other, otp: await codeFor(other) });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  test('sms: a wrong code says "phone number"', async () => {
    const phone = freshPhone();
    await start({ client_id: 'pwl-native', connection: 'sms', phone_number: phone });
    const code = await codeFor(phone);
    refusal(403, 'invalid_grant', 'Wrong phone number or verification code.')(await token({ realm: 'sms', username: phone, otp: wrongOf(code) }));
  });

  test('N concurrent right answers: exactly one 200, the others 403 invalid_grant', async () => {
    const email = freshEmail();
    const code = await sendCode(email);
    const answers = await Promise.all(Array.from({ length: 8 }, () => token({ username: email, otp: code })));
    assert.equal(answers.filter((a) => a.status === 200).length, 1, JSON.stringify(answers.map((a) => a.status)));
    for (const a of answers.filter((x) => x.status !== 200)) wrongEmail(a);
  });

  test('disable_signup: an unknown email gets no code and cannot log in', async () => {
    const email = freshEmail();
    await start({ client_id: 'pwl-native', connection: 'email-closed', email });
    assert.equal((await readOutbox(server.dataDir)).filter((m) => m.to === email).length, 0, 'nothing sent');
    wrongEmail(await token({ realm: 'email-closed', username: email, otp: '123456' }));
  });

  test('a blocked user: 401 unauthorized "user is blocked" with a code sent before the block', async () => {
    const email = freshEmail();
    const ok = await token({ username: email, otp: await sendCode(email) });
    assert.equal(ok.status, 200);
    const code = await sendCode(email);
    const table = localTableName('users', tablePrefix);
    const guard = await users.send(new GetCommand({ TableName: table, Key: { pk: `email#email#${email}` } }));
    assert.ok(guard.Item?.user_id);
    await users.send(new UpdateCommand({ TableName: table, Key: { pk: `user#${guard.Item.user_id}` }, UpdateExpression: 'SET blocked = :t', ExpressionAttributeValues: { ':t': true } }));
    refusal(401, 'unauthorized', 'user is blocked')(await token({ username: email, otp: code }));
  });

  test('the realm and the client: missing parameters, unknown or disabled realm, SPA, grant not enabled', async () => {
    refusal(400, 'invalid_request', 'Missing required parameter: realm')(await token({ realm: '', username: 'a@b.test', otp: '1' }));
    refusal(400, 'invalid_request', 'Missing required parameter: username')(await token({ otp: '1' }));
    refusal(400, 'invalid_request', 'Missing required parameter: otp')(await token({ username: 'a@b.test' }));
    refusal(400, 'invalid_request', 'the connection was not found')(await token({ realm: 'nope', username: 'a@b.test', otp: '1' }));
    refusal(400, 'invalid_request', 'the connection was not found')(await token({ realm: 'Username-Password-Authentication', username: 'a@b.test', otp: '1' }));
    refusal(400, 'invalid_request', 'the connection was disabled')(await token({ client_id: 'pwl-other', realm: 'sms', username: '+15550000000', otp: '1' }));
    refusal(403, 'unauthorized_client', `Grant type '${otp}' not allowed for the client.`)(await token({ client_id: 'pwl-spa', username: 'a@b.test', otp: '1' }));
    refusal(403, 'unauthorized_client', `Grant type '${otp}' not allowed for the client.`)(await token({ client_id: 'pwl-nogrant', username: 'a@b.test', otp: '1' }));
  });

  test('the MFA API audience: mfa_required with an mfa_token (as the password grants answer), never "Service not enabled"', async () => {
    const email = freshEmail();
    const code = await sendCode(email);
    const res = await token({ username: email, otp: code, audience: `${issuer}mfa/`, scope: 'openid enroll' });
    refusal(403, 'mfa_required', 'Multifactor authentication required')(res);
    assert.equal(typeof res.body.mfa_token, 'string');
  });

  test('an expired code (connection time_step 60 s) is refused like a wrong one', { timeout: 120_000 }, async () => {
    const wait = shortCode.sentAt + 62_000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    wrongEmail(await token({ realm: 'email-short', username: shortCode.email, otp: shortCode.code }));
  });
});
