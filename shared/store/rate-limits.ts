import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import type { RateLimitSetting } from '../tenant/model.ts';
import { ddb, isConditionalCheckFailed } from './ddb.ts';

/**
 * Token buckets kept in DynamoDB as GCRA state — one number per key, the theoretical arrival
 * time `tat` in ms — and updated with conditional writes only, no reads (aws-notes §4.2).
 *
 * So that the write does not dominate a request, a function takes a *lease* of several
 * tokens in one write and spends them from memory for at most `leaseMs`. Tokens leased and
 * not spent simply expire: every function can only ever be stricter than the bucket, never
 * looser. Near exhaustion leases shrink to one token, so the last tokens are not stranded.
 *
 * A lease is `maxLease` tokens, or more for a function that has just spent its last lease
 * quickly: enough for about `leaseTargetMs` at the pace it was spent (at most 4× the last
 * one), never more than `leaseFraction` of the bucket. At 3,000 tokens/s that is one write
 * per ~750 tokens instead of per 50: DynamoDB Local spends 3–5 ms of CPU per write, which made
 * the rate limiter a quarter of a core of the machine's load (`npm run bench`). Stranded
 * tokens stay bounded by what the function itself spends in `leaseTargetMs`.
 */
export const defaults = { leaseFraction: 0.1, maxLease: 50, leaseMs: 1_000, leaseTargetMs: 250 };

export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Epoch seconds at which the bucket is full again (Auth0's `X-RateLimit-Reset`). */
  readonly reset: number;
  /** Seconds until a token is available, when refused. */
  readonly retryAfter: number;
}

interface Lease {
  tokens: number;
  expires: number;
  tat: number;
  /** Tokens granted by the write that made this lease, and when: the pace it is spent at. */
  granted: number;
  grantedAt: number;
}

const leases = new Map<string, Lease>();
/** The lease write in flight per key, if any (see `consume`). */
const refills = new Map<string, Promise<unknown>>();
const maxRefillWaits = 3;

export async function consume(key: string, bucket: RateLimitSetting, now = Date.now()): Promise<RateDecision> {
  const interval = 1000 / bucket.per_second;
  // Requests that find the lease empty while another one is already renewing it wait for that
  // write and spend from the new lease, instead of each writing a lease of its own of which
  // only the last survives: under 16 concurrent requests that stampede made one DynamoDB write
  // per ~4.5 requests instead of one per lease (bench, `npm run bench`). The waits are
  // bounded; a refused or drained lease falls through to this request's own write, as before.
  for (let waits = 0; ; waits++) {
    const spent = spendLeased(key, bucket, interval, now);
    if (spent) return spent;
    const pending = refills.get(key);
    if (!pending || waits === maxRefillWaits) break;
    await pending.catch(() => undefined);
  }
  const refill = renew(key, bucket, interval, now);
  refills.set(key, refill);
  try {
    return await refill;
  } finally {
    if (refills.get(key) === refill) refills.delete(key);
  }
}

function spendLeased(key: string, bucket: RateLimitSetting, interval: number, now: number): RateDecision | undefined {
  const lease = leases.get(key);
  if (!lease || lease.tokens <= 0 || lease.expires <= now) return undefined;
  lease.tokens -= 1;
  return decision(true, bucket, interval, lease.tat, now, lease.tokens);
}

async function renew(key: string, bucket: RateLimitSetting, interval: number, now: number): Promise<RateDecision> {
  const size = leaseSize(leases.get(key), bucket, now);
  let taken = await take(key, bucket, interval, size, now);
  if (!taken.ok && size > 1) taken = await take(key, bucket, interval, 1, now);
  if (!taken.ok) {
    leases.delete(key);
    return decision(false, bucket, interval, taken.tat, now, 0);
  }
  const granted = taken.size;
  if (granted > 1) leases.set(key, { tokens: granted - 1, expires: now + defaults.leaseMs, tat: taken.tat, granted, grantedAt: now });
  else leases.delete(key);
  if (leases.size > 10_000) leases.clear(); // bounded memory under a flood of distinct keys
  return decision(true, bucket, interval, taken.tat, now, granted - 1);
}

function leaseSize(previous: Lease | undefined, bucket: RateLimitSetting, now: number): number {
  const cap = Math.max(1, Math.floor(bucket.burst * defaults.leaseFraction));
  let size = Math.min(defaults.maxLease, cap);
  if (previous && previous.tokens <= 0) {
    // The last lease was spent before it expired: size this one by that pace.
    const paced = Math.ceil((previous.granted * defaults.leaseTargetMs) / Math.max(1, now - previous.grantedAt));
    size = Math.max(size, Math.min(paced, previous.granted * 4));
  }
  return Math.min(size, cap);
}

type Taken = { ok: true; tat: number; size: number } | { ok: false; tat: number };

async function take(key: string, bucket: RateLimitSetting, interval: number, size: number, now: number): Promise<Taken> {
  const table = runtimeConfig().tables.rateLimits;
  const cost = size * interval;
  const expiresAt = Math.ceil((now + bucket.burst * interval) / 1000) + 60;
  try {
    // The bucket is full (no state, or the last arrival is in the past): start from now.
    await ddb().send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: key },
        UpdateExpression: 'SET tat = :tat, expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(tat) OR tat < :now',
        ExpressionAttributeValues: { ':tat': now + cost, ':now': now, ':exp': expiresAt },
      }),
    );
    return { ok: true, tat: now + cost, size };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
  try {
    // Partly drained: take `size` more tokens if that leaves the bucket within its burst.
    // Conditions cannot do arithmetic, so the limit is computed here.
    const out = await ddb().send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: key },
        UpdateExpression: 'SET tat = tat + :cost, expiresAt = :exp',
        ConditionExpression: 'tat <= :limit',
        ExpressionAttributeValues: { ':cost': cost, ':limit': now + (bucket.burst - size) * interval, ':exp': expiresAt },
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { ok: true, tat: Number(out.Attributes?.tat), size };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // The SDK hands back the old item in DynamoDB's attribute-value form.
    const old = (error as { Item?: { tat?: { N?: string } } }).Item?.tat?.N;
    return { ok: false, tat: old === undefined ? now + bucket.burst * interval : Number(old) };
  }
}

function decision(allowed: boolean, bucket: RateLimitSetting, interval: number, tat: number, now: number, spare: number): RateDecision {
  const remaining = Math.max(0, Math.floor((now + bucket.burst * interval - tat) / interval)) + (allowed ? spare : 0);
  const retryAfter = allowed ? 0 : Math.max(1, Math.ceil((tat - (now + (bucket.burst - 1) * interval)) / 1000));
  return {
    allowed,
    limit: bucket.burst,
    remaining: Math.min(bucket.burst, remaining),
    reset: Math.ceil(Math.max(tat, now) / 1000),
    retryAfter,
  };
}
