import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import { safeEqual, sha256Base64Url } from '../crypto/digest.ts';
import { readCookies, serializeCookie } from '../http/cookies.ts';
import type { ApiEvent } from '../http/types.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { ddb, isConditionalCheckFailed } from './ddb.ts';

/**
 * SSO sessions. The cookie holds `<sid>.<secret>`; the item (sessions table, `session#<sid>`)
 * stores only the secret's SHA-256, the user, `auth_time`, the clients that received tokens
 * (for back-channel logout), and the idle and absolute expiry (tenant `idle_session_lifetime`,
 * `session_lifetime`, in hours). The sid alone (it travels in ID tokens as `sid`) opens nothing:
 * the cookie's secret must match too.
 */
export interface SessionRecord {
  readonly sid: string;
  readonly user_id: string;
  readonly connection: string;
  /** Epoch seconds of the login that created the session: ID tokens' `auth_time`. */
  readonly auth_time: number;
  readonly created_at: number;
  readonly last_seen: number;
  /** Absolute expiry, epoch seconds (also the TTL attribute `expiresAt`). */
  readonly expires_at: number;
  readonly idle_expires_at: number;
  /** Client ids that received tokens through this session. */
  readonly clients: readonly string[];
  /**
   * The issuer the login happened under (the request's: a custom domain's, say), so the
   * back-channel logout token carries the `iss` of the ID tokens the applications hold, whatever
   * host the logout comes through.
   */
  readonly issuer?: string;
  /** Epoch seconds of the logout that ended it, if it has ended. */
  readonly ended_at?: number;
  /**
   * How the login that made (or last renewed) the session authenticated (OIDC Core §2 `amr`):
   * `["mfa"]` after a second factor; absent for a first factor alone. Tokens the session
   * answers with carry it, and a session without `mfa` does not answer once MFA applies.
   */
  readonly amr?: readonly string[];
}

export const sessionCookieName = 'portcullis_session';

export const defaults = {
  /** Auth0's tenant defaults, in hours: absolute 7 days, idle 3 days. */
  sessionLifetimeHours: 168,
  idleSessionLifetimeHours: 72,
  /** Sliding the idle expiry costs a write; one per minute per session is plenty. */
  touchIntervalSeconds: 60,
};

/** Clock injection for tests: epoch seconds. */
export interface Clock {
  readonly now?: number;
}

const nowSeconds = (clock?: Clock) => clock?.now ?? Math.floor(Date.now() / 1000);
const sessionKey = (sid: string) => `session#${sid}`;
const table = () => runtimeConfig().tables.sessions;

// base64url of 18 random bytes (24 chars) and 32 random bytes (43 chars).
const sidPattern = /^[A-Za-z0-9_-]{22,64}$/;
const secretPattern = /^[A-Za-z0-9_-]{43}$/;

function lifetimes(tenant: TenantConfig): { absolute: number; idle: number } {
  const hours = (value: number | undefined, fallback: number) => (typeof value === 'number' && value > 0 ? value : fallback);
  return {
    absolute: Math.floor(hours(tenant.settings.session_lifetime, defaults.sessionLifetimeHours) * 3600),
    idle: Math.floor(hours(tenant.settings.idle_session_lifetime, defaults.idleSessionLifetimeHours) * 3600),
  };
}

/** Creates a session after a login; returns it and the `Set-Cookie` value to send. */
export async function createSession(input: {
  tenant: TenantConfig;
  userId: string;
  connection: string;
  authTime: number;
  secure: boolean;
  /** The issuer the login happened under (a custom domain's, say): its ID tokens' `iss`. */
  issuer?: string;
  /** The login's authentication methods (`["mfa"]` after a second factor). */
  amr?: readonly string[];
  /** Epoch seconds; defaults to the clock (tests inject it). */
  now?: number;
}): Promise<{ session: SessionRecord; setCookie: string }> {
  const now = nowSeconds(input);
  const { absolute, idle } = lifetimes(input.tenant);
  const sid = randomBytes(18).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  const stored = {
    sid,
    user_id: input.userId,
    connection: input.connection,
    auth_time: input.authTime,
    created_at: now,
    last_seen: now,
    expires_at: now + absolute,
    idle_expires_at: Math.min(now + idle, now + absolute),
    ...(input.issuer ? { issuer: input.issuer } : {}),
    ...(input.amr?.length ? { amr: [...input.amr] } : {}),
  };
  // `clients` is a string set, absent until the first client gets tokens (DynamoDB has no empty sets).
  const session: SessionRecord = { ...stored, clients: [] };
  await ddb().send(
    new PutCommand({
      TableName: table(),
      Item: { pk: sessionKey(sid), ...stored, secret_hash: sha256Base64Url(secret), expiresAt: session.expires_at },
      // 144 random bits never collide; the condition only makes sure a write can never replace a session.
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  const setCookie = serializeCookie(sessionCookieName, `${sid}.${secret}`, { secure: input.secure, sameSite: 'none', maxAge: absolute });
  return { session, setCookie };
}

/**
 * The live session of this browser, if its cookie names one that is neither expired nor ended;
 * touches `last_seen` and slides the idle expiry (at most once per `touchIntervalSeconds`,
 * never past the absolute expiry).
 */
export async function currentSession(event: ApiEvent, tenant: TenantConfig, clock?: Clock): Promise<SessionRecord | undefined> {
  const cookie = readCookies(event).get(sessionCookieName);
  if (!cookie) return undefined;
  const dot = cookie.indexOf('.');
  const sid = cookie.slice(0, dot);
  const secret = cookie.slice(dot + 1);
  if (dot < 0 || !sidPattern.test(sid) || !secretPattern.test(secret)) return undefined;
  const now = nowSeconds(clock);
  const item = await readSession(sid);
  if (!item || !isLive(item, now) || !safeEqual(sha256Base64Url(secret), String(item.secret_hash))) return undefined;
  const session = toRecord(item);
  if (now - session.last_seen < defaults.touchIntervalSeconds) return session;
  return touch(session, lifetimes(tenant).idle, now);
}

async function touch(session: SessionRecord, idle: number, now: number): Promise<SessionRecord | undefined> {
  const idleExpiresAt = Math.min(now + idle, session.expires_at);
  try {
    await ddb().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: sessionKey(session.sid) },
        UpdateExpression: 'SET last_seen = :now, idle_expires_at = :idle',
        // Of concurrent touches one writes; the others find `last_seen` fresh and need not.
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ended_at) AND expiresAt > :now AND idle_expires_at > :now AND last_seen < :stale',
        ExpressionAttributeValues: { ':now': now, ':idle': idleExpiresAt, ':stale': now - defaults.touchIntervalSeconds + 1 },
      }),
    );
    return { ...session, last_seen: now, idle_expires_at: idleExpiresAt };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // Another request touched it, or a logout ended it, since our read: read again to know which.
    const again = await readSession(session.sid);
    return again && isLive(again, now) ? toRecord(again) : undefined;
  }
}

/**
 * The same user logged in again in this browser (prompt=login, max_age): the session keeps
 * its sid and its clients — the applications' ID tokens name that sid — and takes the new
 * `auth_time`, connection and `amr` (a login without a second factor drops an earlier `mfa`:
 * the session says how its latest login was made). Undefined when the session ended or
 * expired meanwhile.
 */
export async function reauthenticateSession(
  session: SessionRecord,
  input: { authTime: number; connection: string; amr?: readonly string[]; now?: number },
): Promise<SessionRecord | undefined> {
  const now = input.now ?? Math.floor(Date.now() / 1000);
  const amr = input.amr?.length ? [...input.amr] : undefined;
  try {
    const result = await ddb().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: sessionKey(session.sid) },
        UpdateExpression: `SET auth_time = :auth, #connection = :connection, last_seen = :now${amr ? ', amr = :amr' : ''}${amr ? '' : ' REMOVE amr'}`,
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ended_at) AND expiresAt > :now AND user_id = :user',
        ExpressionAttributeNames: { '#connection': 'connection' },
        ExpressionAttributeValues: { ':auth': input.authTime, ':connection': input.connection, ':now': now, ':user': session.user_id, ...(amr ? { ':amr': amr } : {}) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes ? toRecord(result.Attributes) : undefined;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

/** Records that `clientId` received tokens in this session (back-channel logout targets). */
export async function addSessionClient(sid: string, clientId: string): Promise<void> {
  try {
    await ddb().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: sessionKey(sid) },
        UpdateExpression: 'ADD clients :client',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ended_at)',
        ExpressionAttributeValues: { ':client': new Set([clientId]) },
      }),
    );
  } catch (error) {
    // A session that ended meanwhile has no one left to notify; nothing to record.
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

/**
 * Ends a session (logout); returns it as it was, or undefined if there was none or it had
 * already ended. The conditional write makes two concurrent logouts return it once.
 */
export async function endSession(sid: string, clock?: Clock): Promise<SessionRecord | undefined> {
  if (!sidPattern.test(sid)) return undefined;
  try {
    const result = await ddb().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: sessionKey(sid) },
        UpdateExpression: 'SET ended_at = :now',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ended_at)',
        ExpressionAttributeValues: { ':now': nowSeconds(clock) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return result.Attributes ? toRecord(result.Attributes) : undefined;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

/** The `Set-Cookie` value that deletes the session cookie (same name, path and SameSite as set). */
export function clearSessionCookie(secure: boolean): string {
  return serializeCookie(sessionCookieName, '', { secure, sameSite: 'none', maxAge: 0 });
}

async function readSession(sid: string): Promise<Record<string, unknown> | undefined> {
  // Strongly consistent: a logout a moment ago must not be undone by a stale replica.
  const result = await ddb().send(new GetCommand({ TableName: table(), Key: { pk: sessionKey(sid) }, ConsistentRead: true }));
  return result.Item;
}

/** TTL deletes lazily, so expiry is checked here too (DESIGN: every read checks `expiresAt`). */
function isLive(item: Record<string, unknown>, now: number): boolean {
  return item.ended_at === undefined && Number(item.expiresAt) > now && Number(item.idle_expires_at) > now;
}

function toRecord(item: Record<string, unknown>): SessionRecord {
  const clients = item.clients instanceof Set ? [...(item.clients as Set<string>)].sort() : [];
  return {
    sid: String(item.sid),
    user_id: String(item.user_id),
    connection: String(item.connection),
    auth_time: Number(item.auth_time),
    created_at: Number(item.created_at),
    last_seen: Number(item.last_seen),
    expires_at: Number(item.expires_at),
    idle_expires_at: Number(item.idle_expires_at),
    clients,
    ...(typeof item.issuer === 'string' ? { issuer: item.issuer } : {}),
    ...(item.ended_at !== undefined ? { ended_at: Number(item.ended_at) } : {}),
    ...(Array.isArray(item.amr) ? { amr: item.amr.filter((v): v is string => typeof v === 'string') } : {}),
  };
}
