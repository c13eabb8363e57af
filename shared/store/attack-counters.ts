import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import { sha256Base64Url } from '../crypto/digest.ts';
import { ddb, isConditionalCheckFailed } from './ddb.ts';

/**
 * Attack-protection state in the rateLimits table: failure counters (brute force), exact
 * token buckets (suspicious-IP throttling, signup throttling) and once-per-window claims
 * (notification emails). Unlike store/rate-limits.ts there are no leases: a block must follow
 * exactly the N-th failure, so every change is one conditional write and 20 concurrent
 * failures count 20. Keys are hashes, so identifiers and IPs never sit in the table in clear.
 * Items carry `expiresAt` (epoch seconds) and every read and condition checks it: TTL deletes
 * lazily (aws-notes §4.2).
 */
export interface CounterStoreOptions {
  readonly tableName?: string;
  readonly client?: DynamoDBDocumentClient;
}

const tableOf = (options: CounterStoreOptions) => options.tableName ?? runtimeConfig().tables.rateLimits;
const clientOf = (options: CounterStoreOptions) => options.client ?? ddb();
const seconds = (ms: number) => Math.ceil(ms / 1000);
/** Conditional writes retried when a concurrent writer changed the item in between. */
const maxRaces = 8;

/** `<kind>#<SHA-256 of the parts>`: the kind stays readable, the parts do not. */
export function counterKey(kind: string, ...parts: readonly string[]): string {
  return `${kind}#${sha256Base64Url(parts.join('\n'))}`;
}

// ---------------------------------------------------------------------------------------------
// Failure counters

export interface FailureCounter {
  readonly failures: number;
  /** When the current count started (ms): failures before a reset or an unblock are not in it. */
  readonly windowStart: number;
  readonly lastFailureAt: number;
}

export interface RecordFailureOptions extends CounterStoreOptions {
  /** How long the count lives after its last failure (Auth0: a block lifts 30 days after it). */
  readonly ttlMs: number;
  /** Failures counted before this instant (ms) are forgotten: the user was unblocked then. */
  readonly resetBefore?: number;
  readonly now?: number;
}

/**
 * Adds one failure and returns the count it makes and when that count began. A live count (not
 * expired, started after `resetBefore`) is incremented in place, a missing one starts at 1 (one
 * write either way); a stale one is replaced by a new count of 1. Each failure is one atomic increment, so concurrent failures each see a different count.
 */
export async function recordFailure(key: string, options: RecordFailureOptions): Promise<{ failures: number; windowStart: number }> {
  const now = options.now ?? Date.now();
  const resetBefore = options.resetBefore ?? 0;
  const values = { ':now': now, ':nowSec': seconds(now), ':exp': seconds(now + options.ttlMs), ':reset': resetBefore };
  for (let race = 0; race < maxRaces; race++) {
    try {
      const out = await clientOf(options).send(
        new UpdateCommand({
          TableName: tableOf(options),
          Key: { pk: key },
          // One write for both common cases: no count yet (a success deleted it) starts at 1,
          // a live count goes up by one. Only a stale count (expired, or begun before an
          // unblock) falls through to the reset below.
          UpdateExpression:
            'SET failures = if_not_exists(failures, :zero) + :one, windowStart = if_not_exists(windowStart, :start), lastFailureAt = :now, expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(failures) OR (expiresAt > :nowSec AND windowStart >= :reset)',
          // A clock behind the one that stamped the unblock must still start after it.
          ExpressionAttributeValues: { ...values, ':zero': 0, ':one': 1, ':start': Math.max(now, resetBefore) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { failures: Number(out.Attributes?.failures), windowStart: Number(out.Attributes?.windowStart) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    try {
      await clientOf(options).send(
        new UpdateCommand({
          TableName: tableOf(options),
          Key: { pk: key },
          UpdateExpression: 'SET failures = :one, windowStart = :start, lastFailureAt = :now, expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(failures) OR expiresAt <= :nowSec OR windowStart < :reset',
          // A clock behind the one that stamped the unblock must still start after it.
          ExpressionAttributeValues: { ...values, ':one': 1, ':start': Math.max(now, resetBefore) },
        }),
      );
      return { failures: 1, windowStart: Math.max(now, resetBefore) };
    } catch (error) {
      // Another failure started the new count first: count on top of it.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
  throw new Error('recordFailure: too many concurrent writers');
}

/** The live count under `key`, or undefined (none, expired, or started before `resetBefore`). */
export async function readFailures(
  key: string,
  options: CounterStoreOptions & { resetBefore?: number; now?: number } = {},
): Promise<FailureCounter | undefined> {
  const now = options.now ?? Date.now();
  const out = await clientOf(options).send(new GetCommand({ TableName: tableOf(options), Key: { pk: key }, ConsistentRead: true }));
  const item = out.Item;
  if (!item || typeof item.failures !== 'number' || !(Number(item.expiresAt) > seconds(now))) return undefined;
  const windowStart = Number(item.windowStart);
  if (windowStart < (options.resetBefore ?? 0)) return undefined;
  return { failures: item.failures, windowStart, lastFailureAt: Number(item.lastFailureAt) };
}

/** Forgets whatever is stored under `key` (a counter after a successful login, a bucket after an unblock). */
export async function clearCounter(key: string, options: CounterStoreOptions = {}): Promise<void> {
  await clientOf(options).send(new DeleteCommand({ TableName: tableOf(options), Key: { pk: key } }));
}

// ---------------------------------------------------------------------------------------------
// Exact token buckets (GCRA: one number, the theoretical arrival time `tat`, in ms)

export interface ExactBucket {
  /** Bucket size: how many attempts a full bucket allows at once. */
  readonly burst: number;
  /** Milliseconds per token of refill. */
  readonly intervalMs: number;
}

export interface BucketState {
  /** Whether the next spend would be allowed. */
  readonly available: boolean;
  /** Whole tokens left. */
  readonly remaining: number;
  /** Seconds until one token is back, when none is left. */
  readonly retryAfter: number;
}

/** What a bucket holds now, without spending. */
export async function peekBucket(key: string, bucket: ExactBucket, options: CounterStoreOptions & { now?: number } = {}): Promise<BucketState> {
  const now = options.now ?? Date.now();
  const out = await clientOf(options).send(new GetCommand({ TableName: tableOf(options), Key: { pk: key }, ConsistentRead: true }));
  const item = out.Item;
  const live = item && typeof item.tat === 'number' && Number(item.expiresAt) > seconds(now);
  return bucketState(live ? (item.tat as number) : now, bucket, now);
}

/**
 * Spends one token if one is left, exactly (one conditional write, no lease). Returns the
 * state after the spend, `available: false` when there was no token to spend.
 */
export async function spendToken(
  key: string,
  bucket: ExactBucket,
  options: CounterStoreOptions & { now?: number } = {},
): Promise<{ spent: boolean; state: BucketState }> {
  const now = options.now ?? Date.now();
  const { intervalMs: interval, burst } = bucket;
  // The item outlives the moment the bucket is full again, so an expired item means "full".
  const expiresAt = seconds(now + burst * interval) + 60;
  for (let race = 0; race < maxRaces; race++) {
    try {
      // Full bucket (no state, expired, or last arrival in the past): start from now.
      await clientOf(options).send(
        new UpdateCommand({
          TableName: tableOf(options),
          Key: { pk: key },
          UpdateExpression: 'SET tat = :tat, expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(tat) OR tat < :now OR expiresAt <= :nowSec',
          ExpressionAttributeValues: { ':tat': now + interval, ':now': now, ':nowSec': seconds(now), ':exp': expiresAt },
        }),
      );
      return { spent: true, state: bucketState(now + interval, bucket, now) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    try {
      // Partly drained: take one more if one is left (conditions cannot do arithmetic, so the
      // limit is computed here).
      const out = await clientOf(options).send(
        new UpdateCommand({
          TableName: tableOf(options),
          Key: { pk: key },
          UpdateExpression: 'SET tat = tat + :i, expiresAt = :exp',
          ConditionExpression: 'tat >= :now AND tat <= :limit AND expiresAt > :nowSec',
          ExpressionAttributeValues: { ':i': interval, ':now': now, ':nowSec': seconds(now), ':limit': now + (burst - 1) * interval, ':exp': expiresAt },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { spent: true, state: bucketState(Number(out.Attributes?.tat), bucket, now) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // The SDK hands back the old item in DynamoDB's attribute-value form.
      const old = (error as { Item?: { tat?: { N?: string }; expiresAt?: { N?: string } } }).Item;
      const tat = Number(old?.tat?.N);
      const live = old !== undefined && Number(old.expiresAt?.N) > seconds(now);
      if (live && tat > now + (burst - 1) * interval) return { spent: false, state: bucketState(tat, bucket, now) };
      // Otherwise the item changed between the two writes (drained to full, deleted): again.
    }
  }
  throw new Error('spendToken: too many concurrent writers');
}

/**
 * Gives back one token spent on an attempt that turned out not to count (a successful login:
 * only failures spend). Never beyond a full bucket: a bucket less than one token from full is
 * left as it is and is full again within one interval.
 */
export async function refundToken(key: string, bucket: ExactBucket, options: CounterStoreOptions & { now?: number } = {}): Promise<void> {
  const now = options.now ?? Date.now();
  try {
    await clientOf(options).send(
      new UpdateCommand({
        TableName: tableOf(options),
        Key: { pk: key },
        UpdateExpression: 'SET tat = tat - :i',
        ConditionExpression: 'tat >= :floor AND expiresAt > :nowSec',
        ExpressionAttributeValues: { ':i': bucket.intervalMs, ':floor': now + bucket.intervalMs, ':nowSec': seconds(now) },
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

function bucketState(tat: number, bucket: ExactBucket, now: number): BucketState {
  const { burst, intervalMs: interval } = bucket;
  const backlog = Math.max(0, tat - now);
  const remaining = Math.max(0, Math.min(burst, Math.floor((burst * interval - backlog) / interval)));
  const available = backlog <= (burst - 1) * interval;
  const retryAfter = available ? 0 : Math.max(1, seconds(backlog - (burst - 1) * interval));
  return { available, remaining, retryAfter };
}

// ---------------------------------------------------------------------------------------------
// Once per window

/**
 * True for the first caller per `windowMs` under `key`, false for every other one until the
 * window has passed (a notification email at most once an hour).
 */
export async function claimOnce(key: string, windowMs: number, options: CounterStoreOptions & { now?: number } = {}): Promise<boolean> {
  const now = options.now ?? Date.now();
  try {
    await clientOf(options).send(
      new UpdateCommand({
        TableName: tableOf(options),
        Key: { pk: key },
        UpdateExpression: 'SET claimedAt = :now, expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(claimedAt) OR claimedAt <= :since OR expiresAt <= :nowSec',
        // The item outlives its window (TTL is for cleaning up; `claimedAt` decides).
        ExpressionAttributeValues: { ':now': now, ':since': now - windowMs, ':nowSec': seconds(now), ':exp': seconds(now + windowMs) + 60 },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
