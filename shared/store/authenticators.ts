import { randomInt } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import { ddb, isConditionalCheckFailed } from './ddb.ts';

/**
 * A user's MFA authenticators in the authenticators table: pk `user#<user_id>`, sk the
 * authenticator id (Auth0's shape: `totp|dev_…`, `sms|dev_…`, `email|dev_…`,
 * `recovery-code|dev_…`, reference §8.3), so one Query lists a user's factors. Enrolments
 * start inactive and are activated by the first right code; everything that must happen once
 * (activation, a TOTP step, a recovery code) is one conditional write, so of N concurrent
 * callers exactly one wins.
 */
export type AuthenticatorKind = 'otp' | 'sms' | 'email' | 'recovery-code';

export interface AuthenticatorRecord {
  readonly id: string;
  readonly user_id: string;
  readonly kind: AuthenticatorKind;
  /** false until the enrolment is confirmed with a right code. */
  readonly active: boolean;
  /** ISO times. */
  readonly created_at: string;
  readonly confirmed_at?: string;
  /** otp: the base32 seed sealed with shared/crypto/secret-box.ts (context `{ user_id, authenticator_id }`). */
  readonly secret_sealed?: string;
  /** otp: the last TOTP step accepted (no reuse within the window). */
  readonly last_step?: number;
  /** sms: E.164. */
  readonly phone_number?: string;
  /** email. */
  readonly email?: string;
  /** recovery-code: SHA-256 digest of the current code (shared/mfa/recovery-codes.ts). */
  readonly code_digest?: string;
  /**
   * What authorised the enrolment: `mfa_token` (a login whose first factor passed, for a
   * user with no active factor), `access_token` (an MFA-API token with `enroll`, which took
   * a second factor to get: reference §8). Absent (the hosted enrolment page, records from
   * before it was kept): treated as not `access_token`. Decides whether a pending
   * enrolment of a user who has an active factor may be confirmed (shared/mfa/confirm-enrolment.ts).
   */
  readonly enrolled_with?: 'mfa_token' | 'access_token';
}

const idPrefix: Record<AuthenticatorKind, string> = { otp: 'totp', sms: 'sms', email: 'email', 'recovery-code': 'recovery-code' };
const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const table = () => runtimeConfig().tables.authenticators;
const pkOf = (userId: string) => `user#${userId}`;
const keyOf = (userId: string, id: string) => ({ pk: pkOf(userId), sk: id });

/** `<kind>|dev_<16 letters and digits>` as Auth0 writes them (~95 random bits). */
export function newAuthenticatorId(kind: AuthenticatorKind): string {
  let suffix = '';
  for (let i = 0; i < 16; i++) suffix += idAlphabet[randomInt(idAlphabet.length)];
  return `${idPrefix[kind]}|dev_${suffix}`;
}

/** Whether `id` has the shape of our ids (worth a database read; path parameters are user input). */
export function isAuthenticatorId(id: unknown): id is string {
  return typeof id === 'string' && /^(totp|sms|email|recovery-code)\|[A-Za-z0-9_-]{1,64}$/.test(id);
}

export async function listAuthenticators(userId: string): Promise<AuthenticatorRecord[]> {
  const records: AuthenticatorRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await ddb().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pkOf(userId) },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) records.push(toRecord(item));
    start = out.LastEvaluatedKey;
  } while (start);
  return records;
}

export async function getAuthenticator(userId: string, id: string): Promise<AuthenticatorRecord | undefined> {
  if (!isAuthenticatorId(id)) return undefined;
  const out = await ddb().send(new GetCommand({ TableName: table(), Key: keyOf(userId, id), ConsistentRead: true }));
  return out.Item ? toRecord(out.Item) : undefined;
}

/** Stores a new authenticator (never overwrites: throws ConditionalCheckFailedException if the id exists). */
export async function putAuthenticator(record: AuthenticatorRecord): Promise<void> {
  await ddb().send(
    new PutCommand({
      TableName: table(),
      Item: { ...record, ...keyOf(record.user_id, record.id) },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Confirms an enrolment: true for the one caller that turned it active. */
export async function activateAuthenticator(userId: string, id: string, now: Date = new Date()): Promise<boolean> {
  return conditional(
    new UpdateCommand({
      TableName: table(),
      Key: keyOf(userId, id),
      UpdateExpression: 'SET active = :true, confirmed_at = :now',
      ConditionExpression: 'attribute_exists(pk) AND active = :false',
      ExpressionAttributeValues: { ':true': true, ':false': false, ':now': now.toISOString() },
    }),
  );
}

/** Deletes one; true when it existed. */
export async function deleteAuthenticator(userId: string, id: string): Promise<boolean> {
  const out = await ddb().send(new DeleteCommand({ TableName: table(), Key: keyOf(userId, id), ReturnValues: 'ALL_OLD' }));
  return out.Attributes !== undefined;
}

/**
 * Deletes an unconfirmed enrolment only (added by helper D for /mfa/associate, which replaces
 * abandoned enrolments): a conditional delete, so an enrolment confirmed meanwhile by its
 * first right code is never removed. True when it deleted.
 */
export async function deletePendingAuthenticator(userId: string, id: string): Promise<boolean> {
  try {
    await ddb().send(
      new DeleteCommand({
        TableName: table(),
        Key: keyOf(userId, id),
        ConditionExpression: 'attribute_exists(pk) AND active = :false',
        ExpressionAttributeValues: { ':false': false },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * Accepts TOTP `step` for the authenticator only if no later-or-equal step was accepted
 * before (conditional write): RFC 6238 §5.2 "MUST NOT accept the second attempt of the same
 * OTP after the successful validation", and a code from an earlier step in the window is
 * refused too once a later one was used.
 */
export async function claimTotpStep(userId: string, id: string, step: number): Promise<boolean> {
  if (!Number.isSafeInteger(step) || step < 0) return false;
  return conditional(
    new UpdateCommand({
      TableName: table(),
      Key: keyOf(userId, id),
      UpdateExpression: 'SET last_step = :step',
      ConditionExpression: 'attribute_exists(pk) AND kind = :otp AND (attribute_not_exists(last_step) OR last_step < :step)',
      ExpressionAttributeValues: { ':step': step, ':otp': 'otp' },
    }),
  );
}

/**
 * Swaps the recovery code's digest from `oldDigest` to `newDigest`; true for the one caller
 * that did. Only an active recovery code is used up (one from an enrolment that was never
 * confirmed opens nothing).
 */
export async function replaceRecoveryCode(userId: string, id: string, oldDigest: string, newDigest: string): Promise<boolean> {
  return conditional(
    new UpdateCommand({
      TableName: table(),
      Key: keyOf(userId, id),
      UpdateExpression: 'SET code_digest = :new',
      ConditionExpression: 'attribute_exists(pk) AND kind = :kind AND active = :true AND code_digest = :old',
      ExpressionAttributeValues: { ':new': newDigest, ':old': oldDigest, ':kind': 'recovery-code', ':true': true },
    }),
  );
}

async function conditional(command: UpdateCommand): Promise<boolean> {
  try {
    await ddb().send(command);
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

function toRecord(item: Record<string, unknown>): AuthenticatorRecord {
  const { pk: _pk, sk, ...rest } = item;
  return { ...(rest as Omit<AuthenticatorRecord, 'id'>), id: String(sk) };
}
