import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { CookieJar, inputValue, send, type HttpAnswer } from '../support/http-browser.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * Bad input to the hosted pages gets a 4xx HTML page, never a 5xx (DESIGN.md): fast-check
 * throws odd query strings, content types, bodies and field values at /u/login, /u/signup and
 * /u/consent, with and without a valid transaction and CSRF token.
 */
const callbackUrl = 'https://app.example.test/callback';
const tenant = {
  tenant: { friendly_name: 'Malformed Pages', rate_limits: { global: { burst: 1_000_000, per_second: 1_000_000 } } },
  clients: [{ name: 'App', client_id: 'app', app_type: 'spa', grant_types: ['authorization_code'], callbacks: [callbackUrl] }],
  connections: [{ name: 'Users', strategy: 'auth0', enabled_clients: ['App'], options: { requires_username: true } }],
  users: [{ connection: 'Users', email: 'jane@example.com', username: 'jane', password: 'Correct-Horse-9' }],
};

const pages = ['/u/login', '/u/signup', '/u/consent'] as const;
const fieldNames = ['username', 'password', 'email', 'state', '_csrf', 'action', 'screen', '__proto__', 'constructor'];

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('', ' ', '%', '%zz', '\u0000', 'a'.repeat(3000)));
const contentTypes = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  '',
);
const rawBody = fc.oneof(
  text,
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.dictionary(fc.constantFrom(...fieldNames), text).map((d) => JSON.stringify(d)),
  fc.array(fc.tuple(fc.constantFrom(...fieldNames), text), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')),
);

describe('hosted pages with malformed input', () => {
  let server: LocalServer;
  before(async () => {
    server = await startLocalServer({ tenant });
  });
  after(() => server?.stop());

  const assertPage4xx = (answer: HttpAnswer, what: string) => {
    assert.ok(answer.status < 500, `${what} → ${answer.status}: ${answer.body.slice(0, 300)}`);
    if (answer.status >= 400) assert.match(String(answer.headers['content-type']), /^text\/html/, what);
  };

  /** A live transaction for this jar, with the CSRF token of its login page. */
  async function transaction(jar: CookieJar): Promise<{ state: string; csrf: string }> {
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: 'app',
      redirect_uri: callbackUrl,
      scope: 'openid',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const started = await send(server.baseUrl, `/authorize?${query}`, { jar });
    const login = await send(server.baseUrl, new URL(started.location!, server.baseUrl).pathname + new URL(started.location!, server.baseUrl).search, { jar });
    assert.equal(login.status, 200);
    return { state: inputValue(login.body, 'state')!, csrf: inputValue(login.body, '_csrf')! };
  }

  test('odd query strings on GET: never a 5xx', async () => {
    const jar = new CookieJar();
    const { state } = await transaction(jar);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...pages), fc.array(fc.tuple(fc.constantFrom('state', 'screen', 'x'), fc.oneof(text, fc.constant(state))), { maxLength: 3 }), async (page, params) => {
        const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        assertPage4xx(await send(server.baseUrl, `${page}?${query}`, { jar }), `GET ${page}?${query}`);
      }),
      { numRuns: 60 },
    );
  });

  test('odd bodies and content types on POST, with a live transaction and its CSRF cookie: never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...pages), contentTypes, rawBody, fc.boolean(), async (page, type, body, withToken) => {
        const jar = new CookieJar();
        const { state, csrf } = await transaction(jar);
        // With the token in front, a form body gets past the CSRF check into the page's own checks.
        const payload = withToken && typeof body === 'string' ? `_csrf=${csrf}&state=${state}&${body}` : body;
        const answer = await send(server.baseUrl, `${page}?state=${encodeURIComponent(state)}`, {
          jar,
          body: payload,
          headers: type ? { 'content-type': type } : {},
        });
        assertPage4xx(answer, `POST ${page} (${type}) ${String(payload).slice(0, 200)}`);
      }),
      { numRuns: 80 },
    );
  });

  test('well-formed forms with odd values, past the CSRF check: a 4xx page or a redirect, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...pages), fc.dictionary(fc.constantFrom('username', 'password', 'email', 'action', 'screen'), text), async (page, fields) => {
        const jar = new CookieJar();
        const { state, csrf } = await transaction(jar);
        const answer = await send(server.baseUrl, `${page}?state=${encodeURIComponent(state)}`, { jar, form: { ...fields, state, _csrf: csrf } });
        assertPage4xx(answer, `POST ${page} ${JSON.stringify(fields).slice(0, 200)}`);
      }),
      { numRuns: 60 },
    );
  });

  test('oversized identifiers: a 400 page (a DynamoDB key cannot hold them; they must not reach one)', async () => {
    const long = `${'a'.repeat(3000)}@example.com`;
    for (const [page, fields] of [
      ['/u/login', { username: long, password: 'whatever' }],
      ['/u/login', { username: 'a'.repeat(3000), password: 'whatever' }],
      ['/u/signup', { email: long, username: 'someone', password: 'Good-Password-1' }],
      ['/u/signup', { email: 'someone@example.com', username: 'u'.repeat(3000), password: 'Good-Password-1' }],
      ['/u/login', { username: long, screen: 'x' }],
    ] as const) {
      const jar = new CookieJar();
      const { state, csrf } = await transaction(jar);
      const answer = await send(server.baseUrl, `${page}?state=${encodeURIComponent(state)}`, { jar, form: { ...fields, state, _csrf: csrf } });
      assert.equal(answer.status, 400, `${page} ${Object.keys(fields).join(',')}: ${answer.body.slice(0, 200)}`);
      assert.match(answer.body, /role="alert"/);
    }
    const jar = new CookieJar();
    const { state, csrf } = await transaction(jar);
    const forgot = await send(server.baseUrl, `/u/login?state=${encodeURIComponent(state)}&screen=forgot-password`, { jar, form: { email: long, state, _csrf: csrf } });
    assert.equal(forgot.status, 400);
  });
});
