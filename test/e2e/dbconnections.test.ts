import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuthApiError, AuthenticationClient } from 'auth0/legacy';
import bcrypt from 'bcryptjs';
import fc from 'fast-check';
import { localTableName } from '../../infra/tables.ts';
import { verifyPassword } from '../../shared/crypto/password.ts';
import { findUserByLogin, type UserRecord } from '../../shared/store/users.ts';
import { form, jsonOf, rawRequest, type RawResponse } from '../support/http-client.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * POST /dbconnections/signup and /dbconnections/change_password against the real local
 * server (reference §6): Auth0's success and error bodies, connection options, user_metadata
 * limits, uniqueness under concurrency, the auth0 SDK, and the whole reset path — outbox line,
 * reset page, new password, a ticket that cannot be used twice — plus a property: malformed
 * input never gets a 5xx.
 */
const domain = 'db.example.test';
const issuer = `https://${domain}/`;
const appOrigin = 'https://app.example.test';
const importedPassword = 'Imported-Passw0rd';
const importedHash = bcrypt.hashSync(importedPassword, 10);
const backendSecret = 'backend-secret-0123456789abcdefghij';

function tenantDoc(flags: { userExistsError: boolean }) {
  return {
    tenant: {
      friendly_name: 'Acme Corp',
      default_directory: 'Users',
      rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 } },
      ...(flags.userExistsError ? { flags: { enable_public_signup_user_exists_error: true } } : {}),
    },
    // Many signups come from 127.0.0.1 here: throttling has tests of its own.
    attackProtection: { suspiciousIpThrottling: { enabled: true, stage: { 'pre-user-registration': { max_attempts: 100_000, rate: 1 } } } },
    clients: [
      { name: 'spa', client_id: 'spa-client', app_type: 'spa', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], callbacks: [`${appOrigin}/cb`], allowed_origins: [appOrigin] },
      { name: 'elsewhere', client_id: 'other-client', app_type: 'spa', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], callbacks: ['https://other.test/cb'] },
      {
        name: 'backend',
        client_id: 'backend-client',
        client_secret: backendSecret,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['password', 'http://auth0.com/oauth/grant-type/password-realm'],
      },
    ],
    connections: [
      { name: 'Users', strategy: 'auth0', enabled_clients: ['spa', 'backend'], options: { passwordPolicy: 'good' } },
      { name: 'Named', strategy: 'auth0', enabled_clients: ['spa'], options: { requires_username: true, passwordPolicy: 'low', validation: { username: { min: 3, max: 10 } } } },
      { name: 'Closed', strategy: 'auth0', enabled_clients: ['spa'], options: { disable_signup: true } },
      { name: 'Strict', strategy: 'auth0', enabled_clients: ['spa'], options: { passwordPolicy: 'excellent', password_complexity_options: { min_length: 12 } } },
      { name: 'google-oauth2', strategy: 'google-oauth2', enabled_clients: ['spa'], options: {} },
      { name: 'Private', strategy: 'auth0', enabled_clients: ['elsewhere'], options: {} },
    ],
    users: [{ connection: 'Users', email: 'imported@example.com', password_hash: importedHash, email_verified: true }],
  };
}

const uniqueEmail = (tag = 'user') => `${tag}-${randomUUID()}@Example.com`;
const strong = 'Str0ng-Passw0rd';

describe('/dbconnections (Auth0 database connections)', () => {
  let server: LocalServer;
  let prefix: string;
  let users: DynamoDBDocumentClient;

  before(async () => {
    prefix = `db${randomBytes(5).toString('hex')}`;
    server = await startLocalServer({ tenant: tenantDoc({ userExistsError: false }), issuer, env: { PORTCULLIS_TABLE_PREFIX: prefix } });
    users = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  });
  after(() => server?.stop());

  const storedUser = (connection: string, email: string): Promise<UserRecord | undefined> =>
    findUserByLogin(connection, email, { tableName: localTableName('users', prefix), client: users });
  const post = (path: string, body: string | Buffer, headers: Record<string, string>) =>
    rawRequest(`${server.baseUrl}${path}`, { method: 'POST', headers, body, timeoutMs: 20_000 });
  const signupJson = (body: unknown, headers: Record<string, string> = {}) =>
    post('/dbconnections/signup', JSON.stringify(body), { 'content-type': 'application/json', ...headers });
  const signupForm = (params: Record<string, string>) => post('/dbconnections/signup', form(params), { 'content-type': 'application/x-www-form-urlencoded' });
  const changePassword = (body: unknown, headers: Record<string, string> = {}) =>
    post('/dbconnections/change_password', JSON.stringify(body), { 'content-type': 'application/json', ...headers });
  const outbox = async (): Promise<Record<string, unknown>[]> => {
    const text = await readFile(join(server.dataDir, 'outbox.jsonl'), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  const mailsTo = async (email: string) => (await outbox()).filter((m) => m.to === email.toLowerCase());
  /** A link from the mail, delivered to the local listener (the issuer's host is the proxy's). */
  const local = (link: string) => {
    const url = new URL(link);
    assert.equal(url.origin, `https://${domain}`);
    return `${server.baseUrl}${url.pathname}${url.search}`;
  };

  const assertLegacy = (res: RawResponse, code: string, description?: string | RegExp) => {
    assert.equal(res.status, 400, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = jsonOf<Record<string, unknown>>(res);
    assert.equal(body.name, 'BadRequestError', res.body);
    assert.equal(body.code, code, res.body);
    assert.equal(body.statusCode, 400);
    assert.equal(typeof body.description, 'string');
    if (typeof description === 'string') assert.equal(body.description, description);
    else if (description) assert.match(body.description as string, description);
  };

  describe('POST /dbconnections/signup', () => {
    test('JSON: 200 with the bare _id, the lower-cased email, email_verified false, and only the given fields echoed', async () => {
      const email = uniqueEmail('json');
      const res = await signupJson({
        client_id: 'spa-client',
        connection: 'Users',
        email,
        password: strong,
        given_name: 'Jane',
        family_name: 'Doe',
        picture: 'https://example.com/jane.png',
        user_metadata: { plan: 'pro', color: 'blue' },
      });
      assert.equal(res.status, 200, res.body);
      const body = jsonOf<Record<string, unknown>>(res);
      assert.match(String(body._id), /^[0-9a-f]{24}$/);
      assert.deepEqual(body, {
        _id: body._id,
        email: email.toLowerCase(),
        email_verified: false,
        given_name: 'Jane',
        family_name: 'Doe',
        picture: 'https://example.com/jane.png',
        user_metadata: { plan: 'pro', color: 'blue' },
      });
      const stored = await storedUser('Users', email);
      assert.equal(stored?.user_id, `auth0|${body._id}`);
      assert.deepEqual(stored?.user_metadata, { plan: 'pro', color: 'blue' });
      assert.equal(stored?.given_name, 'Jane');
      assert.match(String(stored?.password_hash), /^\$argon2id\$/);
      assert.equal((await verifyPassword(strong, stored!.password_hash!)).ok, true);
      assert.equal(JSON.stringify(stored).includes(strong), false, 'the password is stored only hashed');
    });

    test('form body, and no client_id (it is optional): 200', async () => {
      const email = uniqueEmail('form');
      const res = await signupForm({ connection: 'Users', email, password: strong, nickname: 'formy' });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(Object.keys(jsonOf(res)).sort(), ['_id', 'email', 'email_verified', 'nickname']);
    });

    test('missing connection, email or password: 400 invalid_signup, and nothing is created', async () => {
      const email = uniqueEmail('missing');
      assertLegacy(await signupJson({ client_id: 'spa-client', email, password: strong }), 'invalid_signup', 'Missing connection');
      assertLegacy(await signupJson({ client_id: 'spa-client', connection: 'Users', password: strong }), 'invalid_signup', 'Missing email');
      assertLegacy(await signupJson({ client_id: 'spa-client', connection: 'Users', email }), 'invalid_signup', 'Missing password');
      assertLegacy(await signupJson({ client_id: 'spa-client', connection: 'Users', email, password: '' }), 'invalid_signup', 'Missing password');
      assert.equal(await storedUser('Users', email), undefined);
    });

    test('a malformed email address: 400 invalid_signup', async () => {
      for (const email of ['no-at-sign', 'two@@example.com', 'spa ce@example.com', '@example.com', 'x@']) {
        assertLegacy(await signupJson({ connection: 'Users', email, password: strong }), 'invalid_signup');
      }
    });

    test('an unknown client_id: 400 invalid_client', async () => {
      assertLegacy(await signupJson({ client_id: 'ghost', connection: 'Users', email: uniqueEmail(), password: strong }), 'invalid_client');
    });

    test('a connection that does not exist, is not a database one, or is not enabled for the client: 400 invalid_connection', async () => {
      for (const connection of ['Nope', 'google-oauth2', 'Private']) {
        assertLegacy(await signupJson({ client_id: 'spa-client', connection, email: uniqueEmail(), password: strong }), 'invalid_connection', 'connection not found');
      }
    });

    test('a password below the policy: 400 PasswordStrengthError with Auth0\'s exact body; the user can retry', async () => {
      const email = uniqueEmail('weak');
      const res = await signupJson({ client_id: 'spa-client', connection: 'Users', email, password: 'abcdefg!' });
      assert.equal(res.status, 400);
      assert.deepEqual(jsonOf(res), {
        name: 'PasswordStrengthError',
        message: 'Password is too weak',
        code: 'invalid_password',
        description: {
          rules: [
            { message: 'At least %d characters in length', format: [8], code: 'lengthAtLeast', verified: true },
            {
              message: 'Contain at least %d of the following %d types of characters:',
              code: 'containsAtLeast',
              format: [3, 4],
              items: [
                { message: 'lower case letters (a-z)', code: 'lowerCase', verified: true },
                { message: 'upper case letters (A-Z)', code: 'upperCase', verified: false },
                { message: 'numbers (i.e. 0-9)', code: 'numbers', verified: false },
                { message: 'special characters (e.g. !@#$%^&*)', code: 'specialCharacters', verified: true },
              ],
              verified: false,
            },
          ],
          verified: false,
        },
        policy:
          '* At least 8 characters in length\n* Contain at least 3 of the following 4 types of characters:\n * lower case letters (a-z)\n * upper case letters (A-Z)\n * numbers (i.e. 0-9)\n * special characters (e.g. !@#$%^&*)',
        statusCode: 400,
      });
      assert.equal(await storedUser('Users', email), undefined);
      assert.equal((await signupJson({ client_id: 'spa-client', connection: 'Users', email, password: strong })).status, 200);
    });

    test('excellent policy with min_length 12: identicalChars and the longer minimum', async () => {
      const res = await signupJson({ client_id: 'spa-client', connection: 'Strict', email: uniqueEmail(), password: 'aaaBcd1!xyz' });
      assert.equal(res.status, 400);
      const rules = (jsonOf<{ description: { rules: { code: string; format?: unknown[]; verified: boolean }[] } }>(res)).description.rules;
      assert.deepEqual(rules.map((r) => [r.code, r.verified]), [['lengthAtLeast', false], ['containsAtLeast', true], ['identicalChars', false]]);
      assert.deepEqual(rules[0]!.format, [12]);
      assert.equal((await signupJson({ client_id: 'spa-client', connection: 'Strict', email: uniqueEmail(), password: 'abBcd1!xyzQW' })).status, 200);
    });

    test('a duplicate email is "Invalid sign up" by default (no enumeration), whatever its case', async () => {
      const email = uniqueEmail('dup');
      assert.equal((await signupJson({ connection: 'Users', email, password: strong })).status, 200);
      assertLegacy(await signupJson({ connection: 'Users', email, password: strong }), 'invalid_signup', 'Invalid sign up');
      assertLegacy(await signupJson({ connection: 'Users', email: email.toUpperCase(), password: strong }), 'invalid_signup', 'Invalid sign up');
      // Uniqueness is per connection.
      assert.equal((await signupJson({ client_id: 'spa-client', connection: 'Strict', email, password: 'abBcd1!xyzQW' })).status, 200);
    });

    test('requires_username: the username is required, within the connection\'s 3–10 characters and Auth0\'s alphabet, echoed, and unique', async () => {
      const base = { client_id: 'spa-client', connection: 'Named', password: 'secret1' };
      assertLegacy(await signupJson({ ...base, email: uniqueEmail() }), 'invalid_signup', 'Missing username');
      assertLegacy(await signupJson({ ...base, email: uniqueEmail(), username: 'ab' }), 'invalid_signup', /between 3 and 10/);
      assertLegacy(await signupJson({ ...base, email: uniqueEmail(), username: 'abcdefghijk' }), 'invalid_signup', /between 3 and 10/);
      for (const username of ['has space', 'semi;colon', 'ümlaut', 'a/b/c']) {
        assertLegacy(await signupJson({ ...base, email: uniqueEmail(), username }), 'invalid_signup', /may contain only/);
      }
      const username = `u${randomBytes(3).toString('hex')}_+.`;
      const res = await signupJson({ ...base, email: uniqueEmail(), username });
      assert.equal(res.status, 200, res.body);
      assert.equal(jsonOf(res).username, username);
      assertLegacy(await signupJson({ ...base, email: uniqueEmail(), username: username.toUpperCase() }), 'username_exists', 'The username provided is in use already.');
    });

    test('a username on a connection that does not use them: 400 invalid_signup', async () => {
      assertLegacy(await signupJson({ connection: 'Users', email: uniqueEmail(), password: strong, username: 'someone' }), 'invalid_signup');
    });

    test('disable_signup: 400 {"error":"public signup is disabled"}, exactly', async () => {
      const res = await signupJson({ client_id: 'spa-client', connection: 'Closed', email: uniqueEmail(), password: strong });
      assert.equal(res.status, 400);
      assert.deepEqual(jsonOf(res), { error: 'public signup is disabled' });
    });

    describe('user_metadata limits (10 properties, names ≤ 100, values strings ≤ 500)', () => {
      const withMetadata = (user_metadata: unknown) => signupJson({ connection: 'Users', email: uniqueEmail('meta'), password: strong, user_metadata });
      test('at the limits: 10 properties, 100-character names, 500-character values', async () => {
        const metadata = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`${i}`.padEnd(100, 'n'), 'v'.repeat(500)]));
        const res = await withMetadata(metadata);
        assert.equal(res.status, 200, res.body);
        assert.deepEqual(jsonOf(res).user_metadata, metadata);
      });
      test('over them, or not strings, or not an object: 400 invalid_signup', async () => {
        const cases: [unknown, RegExp][] = [
          [Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])), /at most 10 properties/],
          [{ ['n'.repeat(101)]: 'v' }, /names/],
          [{ k: 'v'.repeat(501) }, /at most 500/],
          [{ k: 1 }, /must be strings/],
          [{ k: { nested: 'v' } }, /must be strings/],
          [{ k: null }, /must be strings/],
          [['a', 'b'], /must be an object/],
          ['{"k":"v"}', /must be an object/],
          [42, /must be an object/],
        ];
        for (const [metadata, description] of cases) assertLegacy(await withMetadata(metadata), 'invalid_signup', description);
      });
      test('a form body cannot carry an object: user_metadata as text is refused', async () => {
        assertLegacy(await signupForm({ connection: 'Users', email: uniqueEmail(), password: strong, user_metadata: '{"a":"b"}' }), 'invalid_signup', /must be an object/);
      });
    });

    test('wrong types, unknown fields and broken bodies: 400 in the legacy shape, nothing created', async () => {
      const email = uniqueEmail('types');
      assertLegacy(await signupJson({ connection: 'Users', email: 42, password: strong }), 'invalid_signup', /email must be a string/);
      assertLegacy(await signupJson({ connection: ['Users'], email, password: strong }), 'invalid_signup', /connection must be a string/);
      assertLegacy(await signupJson({ connection: 'Users', email, password: { p: 1 } }), 'invalid_signup', /password must be a string/);
      assertLegacy(await signupJson({ connection: 'Users', email, password: strong, email_verified: true }), 'invalid_signup', /Unknown parameter: email_verified/);
      assertLegacy(await signupJson({ connection: 'Users', email, password: strong, app_metadata: { admin: 'yes' } }), 'invalid_signup', /Unknown parameter/);
      assertLegacy(await post('/dbconnections/signup', '{"connection":"Users",', { 'content-type': 'application/json' }), 'invalid_signup', 'Malformed JSON body');
      assertLegacy(await post('/dbconnections/signup', '["Users"]', { 'content-type': 'application/json' }), 'invalid_signup');
      assertLegacy(await post('/dbconnections/signup', form({ connection: 'Users', email, password: strong }), { 'content-type': 'text/plain' }), 'invalid_signup');
      assertLegacy(await post('/dbconnections/signup', `${form({ connection: 'Users', email, password: strong })}&email=x%40y.z`, { 'content-type': 'application/x-www-form-urlencoded' }), 'invalid_signup', /more than once/);
      assertLegacy(await signupJson({ connection: 'Users', email, password: strong, pad: 'x'.repeat(17 * 1024) }), 'invalid_signup', 'Request body too large');
      assert.equal(await storedUser('Users', email), undefined);
    });

    test('another method: 405 with Allow', async () => {
      const res = await rawRequest(`${server.baseUrl}/dbconnections/signup`, { method: 'GET' });
      assert.equal(res.status, 405);
    });

    test('eight concurrent signups with one email: exactly one 200, the others "Invalid sign up"', async () => {
      for (let round = 0; round < 2; round++) {
        const email = uniqueEmail(`race${round}`);
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => signupJson({ connection: 'Users', email: i % 2 ? email : email.toUpperCase(), password: `${strong}${i}` })),
        );
        assert.equal(results.filter((r) => r.status === 200).length, 1, results.map((r) => r.status).join(','));
        for (const r of results.filter((r) => r.status !== 200)) assertLegacy(r, 'invalid_signup', 'Invalid sign up');
        const stored = await storedUser('Users', email);
        const winner = results.findIndex((r) => r.status === 200);
        assert.equal((await verifyPassword(`${strong}${winner}`, stored!.password_hash!)).ok, true, 'the stored user is the winner\'s');
      }
    });

    describe('browsers (CORS)', () => {
      test('a preflight from an allowed origin is answered; from another origin it is refused', async () => {
        const preflight = (origin: string) =>
          rawRequest(`${server.baseUrl}/dbconnections/signup`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
        const ok = await preflight(appOrigin);
        assert.equal(ok.status, 204);
        assert.equal(ok.headers['access-control-allow-origin'], appOrigin);
        const refused = await preflight('https://evil.test');
        assert.equal(refused.status, 403);
        assert.equal(refused.headers['access-control-allow-origin'], undefined);
      });

      test('a signup from an allowed origin carries Access-Control-Allow-Origin; from an origin its client does not allow it is 403 and creates nothing', async () => {
        const ok = await signupJson({ client_id: 'spa-client', connection: 'Users', email: uniqueEmail('cors'), password: strong }, { origin: appOrigin });
        assert.equal(ok.status, 200, ok.body);
        assert.equal(ok.headers['access-control-allow-origin'], appOrigin);
        const email = uniqueEmail('evil');
        const refused = await signupJson({ client_id: 'spa-client', connection: 'Users', email, password: strong }, { origin: 'https://evil.test' });
        assert.equal(refused.status, 403);
        assert.equal(jsonOf(refused).error, 'access_denied');
        const formPost = await post('/dbconnections/change_password', form({ connection: 'Users', email: 'imported@example.com' }), {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'https://evil.test',
        });
        assert.equal(formPost.status, 403, 'a cross-site form post cannot trigger reset mails');
        assert.equal(await storedUser('Users', email), undefined);
      });
    });
  });

  describe('POST /dbconnections/change_password and the reset page', () => {
    const sentence = "We've just sent you an email to reset your password.";

    test('an unknown email gets the same 200 text, with rate-limit headers, and no mail', async () => {
      const email = uniqueEmail('nobody');
      const res = await changePassword({ client_id: 'spa-client', connection: 'Users', email });
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.equal(res.body, sentence);
      assert.equal(res.headers['x-ratelimit-limit'], '10');
      assert.equal(res.headers['x-ratelimit-remaining'], '9');
      assert.match(String(res.headers['x-ratelimit-reset']), /^\d+$/);
      assert.deepEqual(await mailsTo(email), []);
    });

    test('missing email or connection, a connection that is not a database one, an unknown client: 400', async () => {
      const cases = [
        { connection: 'Users' },
        { email: 'a@b.c' },
        { connection: 'google-oauth2', email: 'a@b.c' },
        { connection: 'Nope', email: 'a@b.c' },
        { client_id: 'spa-client', connection: 'Private', email: 'a@b.c' },
        { client_id: 'ghost', connection: 'Users', email: 'a@b.c' },
        { connection: 'Users', email: 'a@b.c', password: 'old-style' },
      ];
      for (const body of cases) {
        const res = await changePassword(body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(jsonOf(res).error, 'invalid_request');
      }
    });

    test('the burst of 10 per IP and email, then 429 too_many_requests with Retry-After', async () => {
      const email = uniqueEmail('burst');
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await changePassword({ connection: 'Users', email })).status);
      assert.deepEqual(statuses, [...Array(10).fill(200), 429]);
      const refused = await changePassword({ connection: 'Users', email });
      assert.equal(jsonOf(refused).error, 'too_many_requests');
      assert.match(String(refused.headers['retry-after']), /^\d+$/);
      assert.equal((await changePassword({ connection: 'Users', email: uniqueEmail('other') })).status, 200, 'another email has its own bucket');
    });

    test('a user gets one outbox line with a reset link; the page sets a new password once; the link cannot be used again', async () => {
      const email = uniqueEmail('reset');
      assert.equal((await signupJson({ connection: 'Users', email, password: strong })).status, 200);
      const res = await changePassword({ client_id: 'spa-client', connection: 'Users', email: email.toUpperCase() });
      assert.equal(res.status, 200);
      assert.equal(res.body, sentence);

      const mails = await mailsTo(email);
      assert.equal(mails.length, 1);
      const mail = mails[0]!;
      assert.equal(mail.channel, 'email');
      assert.equal(mail.template, 'reset_password');
      assert.match(String(mail.subject), /Acme Corp/);
      assert.ok(!Number.isNaN(Date.parse(String(mail.at))));
      assert.match(String(mail.link), /^https:\/\/db\.example\.test\/u\/reset-password\?ticket=[A-Za-z0-9_-]{43}$/);
      assert.ok(String(mail.text).includes(String(mail.link)));
      assert.ok(server.output().includes(`✉ email to ${email.toLowerCase()}:`), 'the mail is printed too');
      const ticket = new URL(String(mail.link)).searchParams.get('ticket')!;
      assert.equal(server.output().includes(`"${ticket}"`), false, 'no log line carries the ticket as a field');

      const page = await rawRequest(local(String(mail.link)));
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.equal(page.headers['x-frame-options'], 'DENY');
      assert.match(page.body, /<label for="password">/);
      assert.match(page.body, /<input id="password" name="password" type="password"/);
      assert.match(page.body, new RegExp(`<input type="hidden" name="ticket" value="${ticket}">`));
      assert.match(page.body, /<button type="submit">/);
      assert.match(page.body, /Acme Corp/);
      for (const id of [...page.body.matchAll(/<input id="([^"]+)"/g)].map((m) => m[1])) assert.match(page.body, new RegExp(`<label for="${id}">`));

      const submit = (password: string, t = ticket) =>
        rawRequest(`${server.baseUrl}/u/reset-password`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ ticket: t, password }) });
      const weak = await submit('short');
      assert.equal(weak.status, 400);
      assert.match(weak.body, /role="alert"/);
      assert.match(weak.body, /At least 8 characters in length <em>\(not met\)<\/em>/);
      assert.match(weak.body, /name="ticket" value="/, 'the form is shown again with the same ticket');

      const newPassword = 'N3w-Passw0rd!';
      const done = await submit(newPassword);
      assert.equal(done.status, 200, done.body);
      assert.match(done.body, /Your password has been changed/);

      const stored = await storedUser('Users', email);
      assert.equal((await verifyPassword(newPassword, stored!.password_hash!)).ok, true);
      assert.equal((await verifyPassword(strong, stored!.password_hash!)).ok, false);
      assert.ok(stored?.password_changed_at && stored.unblocked_at, 'password_changed_at and unblocked_at are set (a reset lifts brute-force blocks)');
      assert.equal(stored.password_changed_at, stored.unblocked_at);
      assert.equal(stored.email_verified, true);

      const again = await submit('An0ther-Passw0rd!');
      assert.equal(again.status, 400);
      assert.match(again.body, /invalid_ticket/);
      assert.equal((await rawRequest(local(String(mail.link)))).status, 400, 'the page no longer opens');
      assert.equal((await verifyPassword(newPassword, (await storedUser('Users', email))!.password_hash!)).ok, true, 'the second submission changed nothing');
    });

    test('concurrent submissions of one ticket: exactly one changes the password', async () => {
      const email = uniqueEmail('race-reset');
      assert.equal((await signupJson({ connection: 'Users', email, password: strong })).status, 200);
      await changePassword({ connection: 'Users', email });
      const ticket = new URL(String((await mailsTo(email))[0]!.link)).searchParams.get('ticket')!;
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          rawRequest(`${server.baseUrl}/u/reset-password`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ ticket, password: `Race-Passw0rd-${i}` }), timeoutMs: 20_000 }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 200).length, 1, results.map((r) => r.status).join(','));
      const winner = results.findIndex((r) => r.status === 200);
      assert.equal((await verifyPassword(`Race-Passw0rd-${winner}`, (await storedUser('Users', email))!.password_hash!)).ok, true);
    });

    test('unknown, malformed and missing tickets: a 400 error page', async () => {
      for (const query of ['', '?ticket=', `?ticket=${'A'.repeat(43)}`, '?ticket=%3Cscript%3E', '?ticket=a&ticket=b']) {
        const res = await rawRequest(`${server.baseUrl}/u/reset-password${query}`);
        assert.equal(res.status, 400, query);
        assert.match(String(res.headers['content-type']), /^text\/html/);
        assert.doesNotMatch(res.body, /<script>/);
      }
      const post = await rawRequest(`${server.baseUrl}/u/reset-password`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ password: 'N3w-Passw0rd!' }) });
      assert.equal(post.status, 400);
    });
  });

  describe('users imported with a bcrypt password_hash', () => {
    test('are stored with the hash as it was in the tenant file, which verifies', async () => {
      const stored = await storedUser('Users', 'imported@example.com');
      assert.equal(stored?.password_hash, importedHash);
      assert.deepEqual(await verifyPassword(importedPassword, stored!.password_hash!), { ok: true, needsRehash: true });
    });

    test('log in with the password grant, which rehashes them to argon2id', async () => {
      const res = await post(
        '/oauth/token',
        form({ grant_type: 'http://auth0.com/oauth/grant-type/password-realm', realm: 'Users', username: 'imported@example.com', password: importedPassword, client_id: 'backend-client', client_secret: backendSecret, scope: 'openid' }),
        { 'content-type': 'application/x-www-form-urlencoded' },
      );
      assert.equal(res.status, 200, res.body);
      assert.equal(typeof jsonOf(res).id_token, 'string');
      const stored = await storedUser('Users', 'imported@example.com');
      assert.match(String(stored?.password_hash), /^\$argon2id\$/);
      assert.deepEqual(await verifyPassword(importedPassword, stored!.password_hash!), { ok: true, needsRehash: false });
    });
  });

  describe('the auth0 SDK (AuthenticationClient from auth0/legacy)', () => {
    /** The SDK builds https://db.example.test/…; deliver it to the local listener, as a TLS proxy would. */
    const proxyFetch: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      assert.equal(url.origin, `https://${domain}`);
      return fetch(`${server.baseUrl}${url.pathname}${url.search}`, init);
    };
    const sdk = () => new AuthenticationClient({ domain, clientId: 'spa-client', fetch: proxyFetch });

    test('database.signUp creates the user and exposes its id', async () => {
      const email = uniqueEmail('sdk');
      const { data, status } = await sdk().database.signUp({ email, password: strong, connection: 'Users', name: 'SDK User', user_metadata: { source: 'sdk' } });
      assert.equal(status, 200);
      assert.match(data.id, /^[0-9a-f]{24}$/);
      assert.equal(data.email, email.toLowerCase());
      assert.equal(data.email_verified, false);
      assert.equal(data.name, 'SDK User');
      assert.equal((await storedUser('Users', email))?.user_id, `auth0|${data.id}`);
    });

    test('database.signUp errors read as AuthApiError with Auth0\'s code and description', async () => {
      const email = uniqueEmail('sdk-weak');
      await assert.rejects(sdk().database.signUp({ email, password: 'weak', connection: 'Users' }), (error: unknown) => {
        assert.ok(error instanceof AuthApiError);
        assert.equal(error.statusCode, 400);
        assert.equal(error.error, 'invalid_password');
        return true;
      });
      await sdk().database.signUp({ email, password: strong, connection: 'Users' });
      await assert.rejects(sdk().database.signUp({ email, password: strong, connection: 'Users' }), (error: unknown) => {
        assert.ok(error instanceof AuthApiError);
        assert.equal(error.error, 'invalid_signup');
        assert.equal(error.error_description, 'Invalid sign up');
        return true;
      });
    });

    test('database.changePassword answers Auth0\'s sentence and mails the user', async () => {
      const email = uniqueEmail('sdk-reset');
      await sdk().database.signUp({ email, password: strong, connection: 'Users' });
      const { data, status } = await sdk().database.changePassword({ email, connection: 'Users' });
      assert.equal(status, 200);
      assert.equal(data, "We've just sent you an email to reset your password.");
      assert.equal((await mailsTo(email)).length, 1);
    });
  });

  test('property: malformed bodies at both endpoints never get a 5xx, and refusals are JSON', async () => {
    const fields = ['client_id', 'connection', 'email', 'password', 'username', 'user_metadata', 'given_name', 'picture', 'organization', '__proto__', 'constructor', 'toString'];
    const scalar = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('Users', 'Named', 'Closed', 'google-oauth2', 'spa-client', 'x@y.z', 'imported@example.com', strong, '', ' '),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    const member = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 12 }), scalar, { maxKeys: 12 }));
    const object = fc.dictionary(fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 10 })), member, { maxKeys: 8 });
    const body = fc.oneof(
      object.map((o) => ({ contentType: 'application/json', body: Buffer.from(JSON.stringify(o)) })),
      object.map((o) => ({ contentType: 'application/x-www-form-urlencoded', body: Buffer.from(form(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])))) })),
      fc.json().map((j) => ({ contentType: 'application/json', body: Buffer.from(j) })),
      fc.string({ maxLength: 200 }).map((s) => ({ contentType: 'application/json', body: Buffer.from(s) })),
      fc.string({ maxLength: 200 }).map((s) => ({ contentType: 'application/x-www-form-urlencoded', body: Buffer.from(s) })),
      fc.uint8Array({ maxLength: 64 }).map((b) => ({ contentType: 'application/json', body: Buffer.from(b) })),
      fc.tuple(fc.constantFrom(undefined, 'text/plain', 'multipart/form-data', 'application/json; charset=latin1', ''), fc.string({ maxLength: 60 })).map(([contentType, s]) => ({ contentType, body: Buffer.from(s) })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/dbconnections/signup', '/dbconnections/change_password'), body, async (path, { contentType, body }) => {
        const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
        const res = await post(path, body, headers);
        assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `${path} → ${res.status}: ${res.body.slice(0, 300)}`);
        if (res.status >= 400) {
          const parsed = jsonOf<Record<string, unknown>>(res);
          assert.ok(typeof parsed.error === 'string' || typeof parsed.code === 'string', res.body);
        }
      }),
      { numRuns: 300 },
    );
    assert.doesNotMatch(server.output(), /"level":"error"|handler failed/, 'no request reached the unhandled-error path');
  });
});

describe('/dbconnections/signup with enable_public_signup_user_exists_error', () => {
  let server: LocalServer;
  before(async () => {
    server = await startLocalServer({ tenant: tenantDoc({ userExistsError: true }), issuer });
  });
  after(() => server?.stop());

  test('a duplicate email is 400 user_exists "The user already exists."', async () => {
    const email = uniqueEmail('flag');
    const signup = () =>
      rawRequest(`${server.baseUrl}/dbconnections/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ connection: 'Users', email, password: strong }) });
    assert.equal((await signup()).status, 200);
    const res = await signup();
    assert.equal(res.status, 400);
    assert.deepEqual(jsonOf(res), { name: 'BadRequestError', code: 'user_exists', description: 'The user already exists.', statusCode: 400 });
  });
});
