import { randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import { safeEqual, sha256Base64Url } from '../crypto/digest.ts';
import { readCookies, serializeCookie } from '../http/cookies.ts';
import type { ApiEvent } from '../http/types.ts';
import { ddb, isConditionalCheckFailed } from './ddb.ts';

/** What a login transaction needs to be stored; the rest of it (functions/authorize/transaction.ts) is kept as it is. */
export interface StoredTransaction {
  readonly id: string;
  /** Epoch seconds. */
  readonly created_at: number;
  /** The session logged in for this transaction (markTransactionLogin). */
  readonly login_sid?: string;
  /** A first factor that passed for this transaction while MFA is pending (markTransactionFirstFactor). */
  readonly first_factor?: FirstFactorRecord;
}

/**
 * Whose first factor (password, passwordless code, magic link) passed for a transaction that
 * still needs a second one. Kept on the transaction itself, so it is bound to the browser
 * that holds the transaction's binder: the MFA pages read the user from here, never from a form.
 */
export interface FirstFactorRecord {
  readonly user_id: string;
  readonly connection: string;
  /** Epoch seconds of the first factor. */
  readonly at: number;
}

/**
 * Login transactions in the codes table, under `txn#<sha256(id)>` for at most an hour. Each is
 * bound to the browser that started it: /authorize sets an HttpOnly cookie holding a random
 * binder and the transaction stores the binder's hash, so a transaction id sent to another
 * browser (login CSRF, a session swap) is worth nothing there. One binder per browser, reused
 * while it lives, so several tabs can log in at once.
 */
export const transactionLifetimeSeconds = 3600;
export const binderCookieName = 'portcullis_txn';

const key = (id: string) => `txn#${sha256Base64Url(id)}`;
const table = () => runtimeConfig().tables.codes;
const isToken = (value: string | undefined): value is string => value !== undefined && /^[A-Za-z0-9_-]{32,64}$/.test(value);

export const newTransactionId = () => randomBytes(24).toString('base64url');

/** This browser's binder (a new one if it has none) and the cookie that keeps it for the transaction's lifetime. */
export function browserBinder(event: ApiEvent, secure: boolean): { binder: string; setCookie: string } {
  const existing = readCookies(event).get(binderCookieName);
  const binder = isToken(existing) ? existing : randomBytes(32).toString('base64url');
  return { binder, setCookie: serializeCookie(binderCookieName, binder, { secure, maxAge: transactionLifetimeSeconds, sameSite: 'lax' }) };
}

export async function saveTransaction(transaction: StoredTransaction, binder: string): Promise<void> {
  const { id, ...stored } = transaction;
  await ddb().send(
    new PutCommand({
      TableName: table(),
      Item: { pk: key(id), transaction: stored, binder: sha256Base64Url(binder), expiresAt: transaction.created_at + transactionLifetimeSeconds },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** The live transaction `id` if this browser's binder cookie matches it. */
export async function findTransaction<T extends StoredTransaction>(event: ApiEvent, id: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<T | undefined> {
  if (!isToken(id)) return undefined;
  const binder = readCookies(event).get(binderCookieName);
  if (!isToken(binder)) return undefined;
  const out = await ddb().send(new GetCommand({ TableName: table(), Key: { pk: key(id) }, ConsistentRead: true }));
  const item = out.Item as { transaction?: Omit<T, 'id'>; binder?: string; expiresAt?: number; login_sid?: unknown; first_factor?: unknown } | undefined;
  if (!item?.transaction || typeof item.binder !== 'string' || !(Number(item.expiresAt) > nowSeconds)) return undefined;
  if (!safeEqual(sha256Base64Url(binder), item.binder)) return undefined;
  const firstFactor = asFirstFactor(item.first_factor);
  return { ...item.transaction, ...(typeof item.login_sid === 'string' ? { login_sid: item.login_sid } : {}), ...(firstFactor ? { first_factor: firstFactor } : {}), id } as T;
}

function asFirstFactor(value: unknown): FirstFactorRecord | undefined {
  const v = value as Partial<FirstFactorRecord> | undefined;
  if (typeof v?.user_id !== 'string' || typeof v.connection !== 'string' || typeof v.at !== 'number') return undefined;
  return { user_id: v.user_id, connection: v.connection, at: v.at };
}

/**
 * Records that `factor.user_id` passed the first factor for this transaction and must now pass
 * a second (the hosted MFA pages). A later first factor in the same transaction (the user went
 * back and logged in as someone else) replaces it; an older one never replaces a newer one.
 * False when the transaction is gone or expired.
 */
export async function markTransactionFirstFactor(id: string, factor: FirstFactorRecord, nowSeconds = Math.floor(Date.now() / 1000)): Promise<boolean> {
  try {
    await ddb().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: key(id) },
        UpdateExpression: 'SET first_factor = :factor',
        ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now AND (attribute_not_exists(first_factor) OR first_factor.#at <= :at)',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':factor': { user_id: factor.user_id, connection: factor.connection, at: factor.at }, ':now': nowSeconds, ':at': factor.at },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * Records that the session `sid` was logged in for this transaction, so the page that comes
 * next (consent) may answer it even under prompt=login or max_age — and no other session may
 * skip the login that way.
 */
export async function markTransactionLogin(id: string, sid: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<void> {
  await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: { pk: key(id) },
      UpdateExpression: 'SET login_sid = :sid',
      ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
      ExpressionAttributeValues: { ':sid': sid, ':now': nowSeconds },
    }),
  );
}

/** Ends a transaction; true for the one caller that ended it, false if it was already gone or expired. */
export async function consumeTransaction(id: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<boolean> {
  try {
    await ddb().send(
      new DeleteCommand({
        TableName: table(),
        Key: { pk: key(id) },
        ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
        ExpressionAttributeValues: { ':now': nowSeconds },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
