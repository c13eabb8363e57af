import { randomInt, randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import { codeMatchesDigest, digestCode } from '../crypto/code-digest.ts';
import { sha256Base64Url } from '../crypto/digest.ts';
import { ddb, isConditionalCheckFailed } from './ddb.ts';

/**
 * Passwordless codes in the codes table, one item per connection and identity (so a new
 * /passwordless/start replaces the previous code: only the latest is valid, reference §7.1),
 * holding the code's keyed digest (shared/crypto/code-digest.ts — a plain hash of 6 digits
 * is reversed in a million tries), the client it was sent for, a random `codeId`, the
 * attempts so far and `expiresAt`.
 *
 * Every later write is conditional on the `codeId` read, so a write meant for one code never
 * lands on the code that replaced it. Three wrong attempts kill the code (§3.7); the right
 * code is redeemed by one conditional delete, so of concurrent right answers one wins.
 */
export interface IssueCodeInput {
  readonly connection: string;
  /** Lower-cased email, or the E.164 phone number (shared/connections/passwordless.ts passwordlessIdentifier). */
  readonly identifier: string;
  readonly clientId: string;
  readonly lifetimeSeconds: number;
  readonly length: number;
  /** The clock (epoch ms), for tests. */
  readonly now?: number;
}

export type VerifyCodeResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'wrong' | 'gone' };

export interface CodeStoreOptions {
  readonly tableName?: string;
  readonly client?: DynamoDBDocumentClient;
  /** The MAC key of the code digests, for tests (default: the configured one, shared/crypto/code-digest.ts). */
  readonly macKey?: Uint8Array;
}

export const codeDefaults = {
  /** Wrong attempts a code survives: the third kills it (reference §3.7). */
  maxAttempts: 3,
};

const purpose = 'passwordless';
/** Hashed: the key stays short whatever the identifier, and the table holds no address. */
const keyOf = (connection: string, identifier: string) => `pwdless#${sha256Base64Url(`${connection}\n${identifier}`)}`;
const tableOf = (options: CodeStoreOptions) => options.tableName ?? runtimeConfig().tables.codes;
const seconds = (now: number | undefined) => Math.floor((now ?? Date.now()) / 1000);

/** `length` random decimal digits, leading zeros kept (crypto.randomInt: uniform, no modulo bias). */
export function newCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(10));
  return code;
}

/** Stores a new code for the identity (replacing any earlier one) and returns it, to be sent. */
export async function issuePasswordlessCode(input: IssueCodeInput, options: CodeStoreOptions = {}): Promise<string> {
  const code = newCode(input.length);
  const now = seconds(input.now);
  await (options.client ?? ddb()).send(
    new PutCommand({
      TableName: tableOf(options),
      // Unconditional on purpose: the newest start wins and the older code is gone.
      Item: {
        pk: keyOf(input.connection, input.identifier),
        kind: 'passwordless',
        codeId: randomUUID(),
        digest: await digestCode(purpose, code, options.macKey),
        client_id: input.clientId,
        attempts: 0,
        issuedAt: now,
        expiresAt: now + input.lifetimeSeconds,
      },
    }),
  );
  return code;
}

/**
 * What issuePasswordlessCode costs — a new code, its keyed digest, one conditional write of an
 * item of the same shape — with nothing stored: the write is conditional on a random key that
 * never exists, so DynamoDB refuses it after the same round trip. /passwordless/start calls it
 * when it sends nothing (a blocked user, an unknown identity where signup is disabled), so
 * those answers do not come back measurably sooner than the others (a timing oracle for who
 * has an account).
 */
export async function issueDecoyCode(input: IssueCodeInput, options: CodeStoreOptions = {}): Promise<void> {
  const code = newCode(input.length);
  const now = seconds(input.now);
  try {
    await (options.client ?? ddb()).send(
      new PutCommand({
        TableName: tableOf(options),
        Item: {
          pk: `pwdless-decoy#${randomUUID()}`,
          kind: 'passwordless',
          codeId: randomUUID(),
          digest: await digestCode(purpose, code, options.macKey),
          client_id: input.clientId,
          attempts: 0,
          issuedAt: now,
          expiresAt: now + input.lifetimeSeconds,
        },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

interface CodeItem {
  readonly codeId: string;
  readonly digest: string;
  readonly client_id: string;
  readonly attempts: number;
  readonly expiresAt: number;
}

/**
 * Checks `code` for the identity and client: `ok` redeems it (of concurrent right answers one
 * wins); `wrong` counts an attempt (the third kills the code); `gone` when there is no live
 * code — none issued, expired, used, killed, or issued for another client.
 */
export async function verifyPasswordlessCode(
  input: { connection: string; identifier: string; clientId: string; code: string; now?: number },
  options: CodeStoreOptions = {},
): Promise<VerifyCodeResult> {
  const db = options.client ?? ddb();
  const table = tableOf(options);
  const pk = keyOf(input.connection, input.identifier);
  const now = seconds(input.now);
  const out = await db.send(new GetCommand({ TableName: table, Key: { pk }, ConsistentRead: true }));
  const item = out.Item as Partial<CodeItem> | undefined;
  if (!item || typeof item.codeId !== 'string' || typeof item.digest !== 'string' || typeof item.expiresAt !== 'number') return { ok: false, reason: 'gone' };
  if (item.expiresAt <= now || (item.attempts ?? 0) >= codeDefaults.maxAttempts) return { ok: false, reason: 'gone' };
  // A code sent for one application does not log in to another (Auth0 binds it to the client).
  if (item.client_id !== input.clientId) return { ok: false, reason: 'gone' };
  const live = 'codeId = :id AND expiresAt > :now AND attempts < :max';
  const values = { ':id': item.codeId, ':now': now, ':max': codeDefaults.maxAttempts };

  // Codes are short digit strings; anything longer is wrong without spending an HMAC on it.
  const matches = input.code.length <= 32 && (await codeMatchesDigest(purpose, input.code, item.digest, options.macKey));
  if (matches) {
    try {
      await db.send(new DeleteCommand({ TableName: table, Key: { pk }, ConditionExpression: live, ExpressionAttributeValues: values }));
      return { ok: true };
    } catch (error) {
      // Another request redeemed or killed it first, or a new code replaced it.
      if (isConditionalCheckFailed(error)) return { ok: false, reason: 'gone' };
      throw error;
    }
  }

  let attempts: number;
  try {
    const counted = await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk },
        UpdateExpression: 'ADD attempts :one',
        ConditionExpression: live,
        ExpressionAttributeValues: { ...values, ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    attempts = Number((counted.Attributes as { attempts?: number } | undefined)?.attempts ?? codeDefaults.maxAttempts);
  } catch (error) {
    if (isConditionalCheckFailed(error)) return { ok: false, reason: 'gone' };
    throw error;
  }
  if (attempts >= codeDefaults.maxAttempts) {
    // The count already makes it unusable (every condition requires attempts < max); the
    // delete just tidies up, and must not remove a newer code issued meanwhile.
    await db
      .send(new DeleteCommand({ TableName: table, Key: { pk }, ConditionExpression: 'codeId = :id', ExpressionAttributeValues: { ':id': item.codeId } }))
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }
  return { ok: false, reason: 'wrong' };
}
