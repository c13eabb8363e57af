import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { sha256Base64Url } from '../../../shared/crypto/digest.ts';
import { ddb } from '../../../shared/store/ddb.ts';
import { addSessionClient, clearSessionCookie, createSession, currentSession, endSession, reauthenticateSession, sessionCookieName } from '../../../shared/store/sessions.ts';
import type { TenantConfig, TenantSettings } from '../../../shared/tenant/model.ts';
import { apiEvent } from '../../support/events.ts';
import { useLocalTables } from '../../support/local-tables.ts';

const tenantWith = (settings: Partial<TenantSettings> = {}): TenantConfig => ({
  settings: { mtls: { enable_endpoint_aliases: false }, rate_limits: {}, extra: {}, ...settings },
  clients: new Map(),
  resourceServers: new Map(),
  clientGrants: new Map(),
  connections: new Map(),
  customDomains: new Map(),
});

const t0 = 1_800_000_000;
const hour = 3600;
/** The cookie value of a `Set-Cookie` line, sent back as a browser would. */
const cookieOf = (setCookie: string) => setCookie.split(';')[0]!;
const withCookie = (cookie: string) => apiEvent({ headers: { cookie } });

describe('sessions (DynamoDB Local)', () => {
  let sessionsTable: string;
  before(async () => {
    sessionsTable = (await useLocalTables()).sessions!;
  });
  const item = async (sid: string) => (await ddb().send(new GetCommand({ TableName: sessionsTable, Key: { pk: `session#${sid}` }, ConsistentRead: true }))).Item;
  const start = (tenant = tenantWith(), secure = false, now = t0) =>
    createSession({ tenant, userId: 'auth0|0123456789abcdef01234567', connection: 'Users', authTime: now - 5, secure, now });

  test('createSession stores the hash of the cookie secret, never the secret, with Auth0\'s default lifetimes', async () => {
    const { session, setCookie } = await start();
    const [name, value] = cookieOf(setCookie).split('=') as [string, string];
    assert.equal(name, sessionCookieName);
    const [sid, secret] = value.split('.') as [string, string];
    assert.equal(sid, session.sid);
    assert.match(sid, /^[A-Za-z0-9_-]{24}$/, '18 random bytes, base64url');
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
    const stored = await item(sid);
    assert.equal(stored?.secret_hash, sha256Base64Url(secret));
    assert.ok(!JSON.stringify(stored).includes(secret), 'the secret itself is not stored');
    assert.equal(stored?.expiresAt, t0 + 168 * hour, 'TTL is the absolute expiry');
    assert.equal(session.expires_at, t0 + 168 * hour);
    assert.equal(session.idle_expires_at, t0 + 72 * hour);
    assert.equal(session.auth_time, t0 - 5);
    assert.deepEqual(session.clients, []);
  });

  test('the login\'s issuer is kept and comes back with the ended session (the back-channel token\'s iss)', async () => {
    const { session } = await createSession({ tenant: tenantWith(), userId: 'auth0|0123456789abcdef01234567', connection: 'Users', authTime: t0, secure: true, issuer: 'https://login.example.test/', now: t0 });
    assert.equal(session.issuer, 'https://login.example.test/');
    assert.equal((await endSession(session.sid, { now: t0 + 1 }))?.issuer, 'https://login.example.test/');
  });

  test('reauthenticateSession: the same session (sid, clients) takes the new auth_time and connection; never an ended one', async () => {
    const { session } = await start();
    await addSessionClient(session.sid, 'app-one');
    const again = await reauthenticateSession(session, { authTime: t0 + 50, connection: 'Other', now: t0 + 50 });
    assert.equal(again?.sid, session.sid);
    assert.equal(again?.auth_time, t0 + 50);
    assert.equal(again?.connection, 'Other');
    assert.deepEqual(again?.clients, ['app-one']);
    await endSession(session.sid, { now: t0 + 60 });
    assert.equal(await reauthenticateSession(session, { authTime: t0 + 70, connection: 'Users', now: t0 + 70 }), undefined);
  });

  test('the cookie: HttpOnly, Path=/, Max-Age the absolute lifetime; SameSite=None+Secure on https, Lax on http', async () => {
    const tenant = tenantWith({ session_lifetime: 10 });
    const { setCookie: http } = await start(tenant, false);
    assert.match(http, /; Path=\/; HttpOnly; SameSite=Lax; Max-Age=36000$/);
    assert.doesNotMatch(http, /Secure/);
    const { setCookie: https } = await start(tenant, true);
    assert.match(https, /; Path=\/; HttpOnly; SameSite=None; Secure; Max-Age=36000$/);
    assert.equal(clearSessionCookie(true), `${sessionCookieName}=; Path=/; HttpOnly; SameSite=None; Secure; Max-Age=0`);
  });

  test('currentSession finds the session of its cookie and nothing for a wrong secret, a bad cookie or none', async () => {
    const tenant = tenantWith();
    const { session, setCookie } = await start(tenant);
    const cookie = cookieOf(setCookie);
    assert.equal((await currentSession(withCookie(cookie), tenant, { now: t0 + 10 }))?.sid, session.sid);
    const [, value] = cookie.split('=') as [string, string];
    const forged = `${sessionCookieName}=${session.sid}.${'A'.repeat(43)}`;
    assert.equal(await currentSession(withCookie(forged), tenant, { now: t0 + 10 }), undefined);
    for (const bad of [`${sessionCookieName}=${session.sid}`, `${sessionCookieName}=.${value.split('.')[1]}`, `${sessionCookieName}=%00`, 'other=1']) {
      assert.equal(await currentSession(withCookie(bad), tenant, { now: t0 + 10 }), undefined, bad);
    }
    assert.equal(await currentSession(apiEvent(), tenant, { now: t0 + 10 }), undefined);
  });

  test('use slides the idle expiry, at most one write a minute, never past the absolute expiry', async () => {
    const tenant = tenantWith({ idle_session_lifetime: 1, session_lifetime: 3 });
    const { session, setCookie } = await start(tenant);
    const event = withCookie(cookieOf(setCookie));
    const soon = await currentSession(event, tenant, { now: t0 + 30 });
    assert.equal(soon?.last_seen, t0, 'within a minute: no write');
    assert.equal((await item(session.sid))?.last_seen, t0);
    const later = await currentSession(event, tenant, { now: t0 + 1800 });
    assert.equal(later?.last_seen, t0 + 1800);
    assert.equal(later?.idle_expires_at, t0 + 1800 + hour);
    assert.equal((await item(session.sid))?.idle_expires_at, t0 + 1800 + hour);
    // Used every 50 minutes it stays alive past its first idle hour…
    assert.ok(await currentSession(event, tenant, { now: t0 + 4800 }));
    assert.ok(await currentSession(event, tenant, { now: t0 + 7800 }));
    const last = await currentSession(event, tenant, { now: t0 + 3 * hour - 60 });
    assert.equal(last?.idle_expires_at, t0 + 3 * hour, 'capped at the absolute expiry');
    // …but not past its absolute lifetime.
    assert.equal(await currentSession(event, tenant, { now: t0 + 3 * hour }), undefined);
  });

  test('an idle session expires', async () => {
    const tenant = tenantWith({ idle_session_lifetime: 1 });
    const { setCookie } = await start(tenant);
    const event = withCookie(cookieOf(setCookie));
    assert.ok(await currentSession(event, tenant, { now: t0 + hour - 1 }));
    // That use slid the idle expiry; an hour of silence after it ends the session.
    assert.equal(await currentSession(event, tenant, { now: t0 + 2 * hour }), undefined);
  });

  test('concurrent uses: one write wins, all see the live session', async () => {
    const tenant = tenantWith();
    const { session, setCookie } = await start(tenant);
    const event = withCookie(cookieOf(setCookie));
    const seen = await Promise.all(Array.from({ length: 8 }, () => currentSession(event, tenant, { now: t0 + 600 })));
    for (const s of seen) assert.equal(s?.sid, session.sid);
    assert.equal((await item(session.sid))?.last_seen, t0 + 600);
    assert.equal((await item(session.sid))?.idle_expires_at, t0 + 600 + 72 * hour);
  });

  test('endSession ends it once: the cookie stops working and a second end finds nothing', async () => {
    const tenant = tenantWith();
    const { session, setCookie } = await start(tenant);
    const event = withCookie(cookieOf(setCookie));
    await addSessionClient(session.sid, 'app-one');
    await addSessionClient(session.sid, 'app-two');
    await addSessionClient(session.sid, 'app-one');
    const ends = await Promise.all([endSession(session.sid, { now: t0 + 60 }), endSession(session.sid, { now: t0 + 60 })]);
    const ended = ends.filter((e) => e !== undefined);
    assert.equal(ended.length, 1, 'of two concurrent logouts exactly one ends it');
    assert.deepEqual(ended[0]?.clients, ['app-one', 'app-two']);
    assert.equal(ended[0]?.user_id, 'auth0|0123456789abcdef01234567');
    assert.equal(await currentSession(event, tenant, { now: t0 + 120 }), undefined);
    assert.equal(await endSession(session.sid), undefined);
    assert.equal(await endSession('no-such-session-0000000000'), undefined);
    assert.equal((await item(session.sid))?.ended_at, t0 + 60);
  });

  test('a touch racing a logout does not revive the session', async () => {
    const tenant = tenantWith();
    const { session, setCookie } = await start(tenant);
    const event = withCookie(cookieOf(setCookie));
    const [, touched] = await Promise.all([endSession(session.sid, { now: t0 + 600 }), currentSession(event, tenant, { now: t0 + 600 })]);
    // Either order is possible; whatever the touch saw, the session stays ended.
    assert.ok(touched === undefined || touched.sid === session.sid);
    assert.equal(await currentSession(event, tenant, { now: t0 + 700 }), undefined);
    assert.equal((await item(session.sid))?.ended_at, t0 + 600);
  });

  test('addSessionClient on an ended or unknown session records nothing and does not throw', async () => {
    const { session } = await start();
    await endSession(session.sid);
    await addSessionClient(session.sid, 'late-app');
    assert.equal((await item(session.sid))?.clients, undefined);
    await addSessionClient('unknown-session-000000000000', 'app');
    assert.equal(await item('unknown-session-000000000000'), undefined);
  });
});
