import { randomBytes } from 'node:crypto';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import { sha256Base64Url } from '../crypto/digest.ts';
import type { RefreshTokenSettings } from '../tenant/model.ts';
import { ddb, isConditionalCheckFailed } from './ddb.ts';

/**
 * Refresh tokens and their rotation families (refreshTokens table; reference §3.5, §19).
 * A token is `v1.` + 48 random bytes; only its SHA-256 is stored, as `token#<hash>` naming
 * its family. The family item (`family#<id>`) holds what the tokens stand for (client, user,
 * audience, scopes, session, auth_time), the absolute expiry fixed at issuance, the idle
 * expiry each exchange resets, and whether it is revoked: revoking a family (reuse detected,
 * /oauth/revoke, a replayed authorization code) kills every token in it at once.
 *
 * Rotation is one transaction — the presented token goes from `active` to `rotated` on the
 * condition that it is still `active`, its successor is written, the family is touched on the
 * condition that it is alive — so of two concurrent exchanges of one token exactly one wins;
 * the other is reuse. Times are epoch seconds.
 */
export interface RefreshFamily {
  readonly familyId: string;
  readonly client_id: string;
  readonly user_id: string;
  /** API identifier; absent for a login without audience (/userinfo only). */
  readonly audience?: string;
  readonly scopes: readonly string[];
  readonly sid?: string;
  readonly auth_time: number;
  /** The login's authentication methods (`["mfa"]`), so refreshed tokens still say how the user logged in. */
  readonly amr?: readonly string[];
  readonly created_at: number;
  /** Absolute expiry, fixed at issuance; absent when infinite. */
  readonly expires_at?: number;
  /** Idle expiry, reset by each exchange; absent when infinite. */
  readonly idle_expires_at?: number;
  readonly revoked: boolean;
  /** Hash of the token whose exchange issued the newest one: the only token a leeway retry may present. */
  readonly last_rotated?: string;
}

export interface FoundRefreshToken {
  readonly hash: string;
  readonly status: 'active' | 'rotated';
  readonly rotatedAt?: number;
  readonly family: RefreshFamily;
}

export type ExchangeResult =
  | { readonly ok: true; /** The successor, when the client rotates. */ readonly token?: string }
  | { readonly ok: false; readonly reason: 'reused' | 'gone' };

export interface NewFamilyInput {
  readonly clientId: string;
  readonly userId: string;
  readonly audience: string | undefined;
  readonly scopes: readonly string[];
  readonly sid?: string;
  readonly authTime: number;
  readonly amr?: readonly string[];
  readonly settings: RefreshTokenSettings;
  readonly now?: number;
}

const key = {
  token: (hash: string) => `token#${hash}`,
  family: (id: string) => `family#${id}`,
};
const table = () => runtimeConfig().tables.refreshTokens;
const nowSeconds = () => Math.floor(Date.now() / 1000);
/** Longer strings are no token of ours; refuse before hashing arbitrary input. */
const maxTokenLength = 256;

export const newRefreshToken = () => `v1.${randomBytes(48).toString('base64url')}`;

/** `expiration_type: non-expiring` and the `infinite_*` flags switch each lifetime off (reference §3.5). */
function absoluteExpiry(settings: RefreshTokenSettings, now: number): number | undefined {
  if (settings.expiration_type === 'non-expiring' || settings.infinite_token_lifetime) return undefined;
  return now + settings.token_lifetime;
}

function idleExpiry(settings: RefreshTokenSettings, now: number): number | undefined {
  if (settings.expiration_type === 'non-expiring' || settings.infinite_idle_token_lifetime) return undefined;
  return now + settings.idle_token_lifetime;
}

/** The TTL attribute: the earlier of the two expiries, none when both are infinite. */
function ttl(absolute: number | undefined, idle: number | undefined): number | undefined {
  const defined = [absolute, idle].filter((x): x is number => x !== undefined);
  return defined.length > 0 ? Math.min(...defined) : undefined;
}

const alive = 'revoked = :false AND (attribute_not_exists(expiresAt) OR expiresAt > :now)';

/** Starts a family with its first token (a login with `offline_access`). */
export async function createRefreshFamily(input: NewFamilyInput): Promise<{ token: string; familyId: string }> {
  const now = input.now ?? nowSeconds();
  const familyId = randomBytes(16).toString('base64url');
  const token = newRefreshToken();
  const expires_at = absoluteExpiry(input.settings, now);
  const idle_expires_at = idleExpiry(input.settings, now);
  const expiresAt = ttl(expires_at, idle_expires_at);
  await ddb().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: table(),
            Item: {
              pk: key.family(familyId),
              client_id: input.clientId,
              user_id: input.userId,
              audience: input.audience,
              scopes: [...input.scopes],
              sid: input.sid,
              auth_time: input.authTime,
              ...(input.amr?.length ? { amr: [...input.amr] } : {}),
              created_at: now,
              expires_at,
              idle_expires_at,
              revoked: false,
              expiresAt,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        tokenPut(token, familyId, now, expiresAt),
      ],
    }),
  );
  return { token, familyId };
}

function tokenPut(token: string, familyId: string, now: number, expiresAt: number | undefined) {
  return {
    Put: {
      TableName: table(),
      Item: { pk: key.token(sha256Base64Url(token)), family_id: familyId, status: 'active', created_at: now, expiresAt },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

async function getFamily(familyId: string, now: number): Promise<RefreshFamily | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: table(), Key: { pk: key.family(familyId) }, ConsistentRead: true }));
  const item = out.Item;
  if (!item || expired(item.expiresAt, now)) return undefined;
  const { pk: _pk, expiresAt: _ttl, last_used: _lu, revoked_at: _ra, ...rest } = item;
  return { familyId, ...(rest as Omit<RefreshFamily, 'familyId'>) };
}

const expired = (at: unknown, now: number) => typeof at === 'number' && at <= now;

/**
 * The token and its family, or undefined when the token is unknown, or it or its family has
 * expired or been revoked. A rotated token is found: its reuse must be detected.
 */
export async function findRefreshToken(token: string, now = nowSeconds()): Promise<FoundRefreshToken | undefined> {
  if (token.length === 0 || token.length > maxTokenLength) return undefined;
  return findByHash(sha256Base64Url(token), now);
}

async function findByHash(hash: string, now: number): Promise<FoundRefreshToken | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: table(), Key: { pk: key.token(hash) }, ConsistentRead: true }));
  const item = out.Item;
  if (!item || expired(item.expiresAt, now) || typeof item.family_id !== 'string') return undefined;
  const family = await getFamily(item.family_id, now);
  if (!family || family.revoked) return undefined;
  if (expired(family.expires_at, now) || expired(family.idle_expires_at, now)) return undefined;
  return {
    hash,
    status: item.status === 'active' ? 'active' : 'rotated',
    ...(typeof item.rotated_at === 'number' ? { rotatedAt: item.rotated_at } : {}),
    family,
  };
}

/**
 * Auth0's rotation overlap (reference §3.5): within `leeway` seconds of its rotation, the
 * immediately previous token — the one whose exchange issued the newest — may be exchanged
 * again without counting as reuse; an older one never. `leeway: 0` switches it off.
 */
export function isLeewayRetry(found: FoundRefreshToken, leeway: number, now = nowSeconds()): boolean {
  return (
    leeway > 0 &&
    found.status === 'rotated' &&
    found.rotatedAt !== undefined &&
    found.family.last_rotated === found.hash &&
    now <= found.rotatedAt + leeway
  );
}

/**
 * Exchanges a found token under the client's current settings. Non-rotating: the token stays
 * and the idle expiry resets. Rotating: the token is rotated and its successor returned. A
 * rotated token outside the leeway — including the loser of a race for one token — is reuse:
 * the whole family is revoked.
 */
export async function exchangeRefreshToken(found: FoundRefreshToken, settings: RefreshTokenSettings, now = nowSeconds()): Promise<ExchangeResult> {
  let current = found;
  for (let attempt = 0; attempt < 5; attempt++) {
    const outcome = await attemptExchange(current, settings, now);
    if (outcome === 'reused') {
      await revokeFamily(current.family.familyId, now);
      return { ok: false, reason: 'reused' };
    }
    if (typeof outcome === 'object') return outcome;
    // 'stale': a condition failed (another exchange or a revocation got there first);
    // 'conflict': another transaction on the same items was in flight. Decide again on what
    // is stored now: the other exchange won (reuse), or the family is gone.
    if (outcome === 'conflict') await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 30));
    const fresh = await findByHash(current.hash, now);
    if (!fresh) return { ok: false, reason: 'gone' };
    current = fresh;
  }
  return { ok: false, reason: 'gone' };
}

type Attempt = ExchangeResult | 'reused' | 'stale' | 'conflict';

async function attemptExchange(found: FoundRefreshToken, settings: RefreshTokenSettings, now: number): Promise<Attempt> {
  const { family } = found;
  const idle_expires_at = idleExpiry(settings, now);
  const expiresAt = ttl(family.expires_at, idle_expires_at);
  const tokenKey = key.token(found.hash);
  const familyKey = key.family(family.familyId);

  if (settings.rotation_type === 'non-rotating' && found.status === 'active') {
    // The idle expiry only moves forward; a write that would move it by less than a minute is
    // skipped (it can only be up to a minute earlier than exact: stricter, never looser), so a
    // busy non-rotating token costs reads only — as sessions touch at most once a minute.
    if (idleRefreshUnneeded(family.idle_expires_at, idle_expires_at)) return { ok: true };
    return run([
      update(familyKey, { last_used: now, idle_expires_at, expiresAt }, alive, familyValues(now)),
      update(tokenKey, { last_used: now, expiresAt }, '#status = :active', { ':active': 'active' }),
    ]);
  }

  const successor = newRefreshToken();
  if (found.status === 'active') {
    return run(
      [
        update(tokenKey, { status: 'rotated', rotated_at: now, expiresAt }, '#status = :active', { ':active': 'active' }),
        tokenPut(successor, family.familyId, now, expiresAt),
        update(familyKey, { last_used: now, idle_expires_at, expiresAt, last_rotated: found.hash }, alive, familyValues(now)),
      ],
      successor,
    );
  }

  if (!isLeewayRetry(found, settings.leeway, now)) return 'reused';
  return run(
    [
      update(tokenKey, { leeway_retry_at: now }, '#status = :rotated AND rotated_at >= :since', { ':rotated': 'rotated', ':since': now - settings.leeway }),
      tokenPut(successor, family.familyId, now, expiresAt),
      // Still the immediately previous token: no newer exchange happened in between.
      update(familyKey, { last_used: now, idle_expires_at, expiresAt }, `${alive} AND last_rotated = :hash`, { ...familyValues(now), ':hash': found.hash }),
    ],
    successor,
  );
}

const familyValues = (now: number) => ({ ':false': false, ':now': now });

/** Seconds by which the stored idle expiry may lag before a non-rotating exchange writes it again. */
const idleExpiryStepSeconds = 60;

function idleRefreshUnneeded(stored: number | undefined, next: number | undefined): boolean {
  if (next === undefined) return stored === undefined; // infinite stays infinite without a write
  return stored !== undefined && next - stored < idleExpiryStepSeconds;
}

/**
 * A transactional update: attributes set to undefined are removed (a lifetime that became
 * infinite). Every name goes through a placeholder, since `status` is a reserved word.
 */
function update(pk: string, set: Record<string, unknown>, condition: string, values: Record<string, unknown>) {
  const names: Record<string, string> = {};
  const allValues: Record<string, unknown> = { ...values };
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries(set).forEach(([name, value], i) => {
    names[`#a${i}`] = name;
    if (value === undefined) removes.push(`#a${i}`);
    else {
      sets.push(`#a${i} = :a${i}`);
      allValues[`:a${i}`] = value;
    }
  });
  if (condition.includes('#status')) names['#status'] = 'status';
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
  return {
    Update: {
      TableName: table(),
      Key: { pk },
      UpdateExpression: expression,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: allValues,
    },
  };
}

async function run(items: object[], successor?: string): Promise<Attempt> {
  try {
    await ddb().send(new TransactWriteCommand({ TransactItems: items as never }));
    return successor ? { ok: true, token: successor } : { ok: true };
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons === undefined) throw error;
    if (reasons.includes('ConditionalCheckFailed')) return 'stale';
    if (reasons.includes('TransactionConflict')) return 'conflict';
    throw error;
  }
}

function cancellationReasons(error: unknown): string[] | undefined {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] } | null;
  if (e?.name === 'TransactionConflictException') return ['TransactionConflict'];
  if (e?.name !== 'TransactionCanceledException') return undefined;
  return (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
}

function isCanceledByCondition(error: unknown): boolean {
  return cancellationReasons(error)?.includes('ConditionalCheckFailed') ?? false;
}

/** Revokes a whole family (reuse detected, /oauth/revoke, a replayed authorization code). */
export async function revokeFamily(familyId: string, now = nowSeconds()): Promise<void> {
  try {
    await ddb().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: key.family(familyId) },
        UpdateExpression: 'SET revoked = :true, revoked_at = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true, ':now': now },
      }),
    );
  } catch (error) {
    // An unknown family has nothing to revoke.
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

/**
 * /oauth/revoke (reference §4.4): revokes the family of `token` if it was issued to
 * `clientId`. Returns whether something was revoked; an unknown token or another client's
 * changes nothing (and the endpoint answers 200 either way).
 */
export async function revokeRefreshToken(token: string, clientId: string, now = nowSeconds()): Promise<boolean> {
  const found = await findRefreshToken(token, now);
  if (!found || found.family.client_id !== clientId) return false;
  await revokeFamily(found.family.familyId, now);
  return true;
}
