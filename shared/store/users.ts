import { randomBytes } from 'node:crypto';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import { ddb } from './ddb.ts';

/**
 * Users of database and passwordless connections. Uniqueness of email (and username, and the
 * phone number of an `sms` user) per connection is held
 * by guard items written in the same transaction as the user, each with
 * `attribute_not_exists(pk)`: of two concurrent signups with one email exactly one commits
 * (aws-notes §4.2). Passwords arrive here already hashed.
 */
export interface NewUser {
  readonly connection: string;
  /** Every database and `email` user has one; an `sms` user has a phone_number instead. */
  readonly email?: string;
  readonly username?: string;
  /**
   * argon2id PHC string, or a bcrypt hash imported from Auth0 (rehashed at the next login).
   * Database users always have one; passwordless users never.
   */
  readonly password_hash?: string;
  readonly email_verified: boolean;
  readonly user_metadata: Record<string, unknown>;
  readonly app_metadata: Record<string, unknown>;
  readonly given_name?: string;
  readonly family_name?: string;
  readonly name?: string;
  readonly nickname?: string;
  readonly picture?: string;
  readonly phone_number?: string;
}

/** A stored user: what was created, plus what logins and resets change. Dates are ISO strings. */
export interface UserRecord extends NewUser {
  /** `auth0|<24 hex>` (database), `email|…` or `sms|…` (passwordless): the `sub` of its tokens. */
  readonly user_id: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly last_login?: string;
  readonly logins_count?: number;
  /** When the user was last unblocked (link or password reset): brute-force failures before it no longer count. */
  readonly unblocked_at?: string;
  readonly password_changed_at?: string;
  /** Set by an administrator; a blocked user cannot log in (`unauthorized` / "user is blocked"). */
  readonly blocked?: boolean;
}

export const userKey = {
  user: (userId: string) => `user#${userId}`,
  email: (connection: string, email: string) => `email#${connection}#${email.toLowerCase()}`,
  username: (connection: string, username: string) => `username#${connection}#${username.toLowerCase()}`,
  /** The phone number of a passwordless `sms` user, in E.164. */
  phone: (connection: string, phoneNumber: string) => `phone#${connection}#${phoneNumber}`,
};

/** Auth0's user id prefixes: the connection strategy (`auth0` for database connections). */
export type UserIdPrefix = 'auth0' | 'email' | 'sms';

/** Auth0-shaped user id: the strategy, `|` and 24 hex characters. */
export const newUserId = (prefix: UserIdPrefix = 'auth0') => `${prefix}|${randomBytes(12).toString('hex')}`;

/** On `exists`, `conflict` names the guard that failed (email wins when both did). */
export type CreateUserResult = { ok: true; userId: string } | { ok: false; reason: 'exists'; conflict: 'email' | 'username' };

export async function createUser(
  user: NewUser,
  options: { tableName?: string; client?: DynamoDBDocumentClient; now?: Date; idPrefix?: UserIdPrefix } = {},
): Promise<CreateUserResult> {
  const table = options.tableName ?? runtimeConfig().tables.users;
  const prefix = options.idPrefix ?? 'auth0';
  const userId = newUserId(prefix);
  const now = (options.now ?? new Date()).toISOString();
  const guard = (pk: string) => ({
    Put: { TableName: table, Item: { pk, user_id: userId }, ConditionExpression: 'attribute_not_exists(pk)' },
  });
  try {
    await (options.client ?? ddb()).send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: { pk: userKey.user(userId), user_id: userId, ...user, created_at: now, updated_at: now },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...(user.email ? [guard(userKey.email(user.connection, user.email))] : []),
          ...(user.username ? [guard(userKey.username(user.connection, user.username))] : []),
          // Only an sms user is identified by its phone number; elsewhere it is a profile field.
          ...(prefix === 'sms' && user.phone_number ? [guard(userKey.phone(user.connection, user.phone_number))] : []),
        ],
      }),
    );
    return { ok: true, userId };
  } catch (error) {
    // Only a failed uniqueness condition means "exists"; throttling or a conflict is an error.
    const reasons = (error as { name?: string; CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    if ((error as { name?: string }).name === 'TransactionCanceledException' && reasons.some((r) => r.Code === 'ConditionalCheckFailed')) {
      // CancellationReasons follow TransactItems: [user, email guard, username guard] for
      // database users; a passwordless user has one guard (email or phone), reported as `email`.
      return { ok: false, reason: 'exists', conflict: user.email && user.username && reasons[2]?.Code === 'ConditionalCheckFailed' && reasons[1]?.Code !== 'ConditionalCheckFailed' ? 'username' : 'email' };
    }
    throw error;
  }
}

export interface UserStoreOptions {
  readonly tableName?: string;
  readonly client?: DynamoDBDocumentClient;
}

const tableOf = (options: UserStoreOptions) => options.tableName ?? runtimeConfig().tables.users;

export async function getUser(userId: string, options: UserStoreOptions = {}): Promise<UserRecord | undefined> {
  const out = await (options.client ?? ddb()).send(
    new GetCommand({ TableName: tableOf(options), Key: { pk: userKey.user(userId) }, ConsistentRead: true }),
  );
  const item = out.Item as (UserRecord & { pk?: string }) | undefined;
  if (!item) return undefined;
  const { pk: _pk, ...user } = item;
  return user;
}

/**
 * The user a login names in a connection: Auth0's login field takes an email or a username.
 * An identifier with `@` is looked up as an email first, then as a username (usernames may
 * contain `@`); one without is a username. Looked up through the uniqueness guards.
 */
export async function findUserByLogin(connection: string, identifier: string, options: UserStoreOptions = {}): Promise<UserRecord | undefined> {
  // No stored email (320) or username (128) is longer; a longer one would also overflow
  // DynamoDB's 2,048-byte key limit and fail the request instead of finding nobody.
  if (identifier.length > 320) return undefined;
  const keys = identifier.includes('@')
    ? [userKey.email(connection, identifier), userKey.username(connection, identifier)]
    : [userKey.username(connection, identifier)];
  for (const key of keys) {
    const user = await userByGuard(key, options);
    if (user) return user;
  }
  return undefined;
}

/** The user with this email in a connection (an email field, not a login: never a username). */
export async function findUserByEmail(connection: string, email: string, options: UserStoreOptions = {}): Promise<UserRecord | undefined> {
  return email.length > 320 ? undefined : userByGuard(userKey.email(connection, email), options);
}

/** The passwordless `sms` user with this E.164 phone number in a connection. */
export async function findUserByPhone(connection: string, phoneNumber: string, options: UserStoreOptions = {}): Promise<UserRecord | undefined> {
  return phoneNumber.length > 16 ? undefined : userByGuard(userKey.phone(connection, phoneNumber), options);
}

async function userByGuard(key: string, options: UserStoreOptions): Promise<UserRecord | undefined> {
  const guard = await (options.client ?? ddb()).send(new GetCommand({ TableName: tableOf(options), Key: { pk: key }, ConsistentRead: true }));
  const userId = guard.Item?.user_id as string | undefined;
  return userId ? getUser(userId, options) : undefined;
}

/**
 * A successful login: `last_login` set, `logins_count` incremented in place (concurrent logins
 * each count), and the password rehashed when asked. Returns the stored user as it now is.
 */
export async function recordLogin(userId: string, login: { at: Date; password_hash?: string }, options: UserStoreOptions = {}): Promise<UserRecord | undefined> {
  const at = login.at.toISOString();
  const out = await (options.client ?? ddb()).send(
    new UpdateCommand({
      TableName: tableOf(options),
      Key: { pk: userKey.user(userId) },
      UpdateExpression: `SET last_login = :at, updated_at = :at${login.password_hash ? ', password_hash = :hash' : ''} ADD logins_count :one`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': at, ':one': 1, ...(login.password_hash ? { ':hash': login.password_hash } : {}) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const item = out.Attributes as (UserRecord & { pk?: string }) | undefined;
  if (!item) return undefined;
  const { pk: _pk, ...user } = item;
  return user;
}

/** Fields a login, a reset or an unblock may change. */
export type UserUpdate = Partial<Pick<UserRecord, 'password_hash' | 'last_login' | 'logins_count' | 'unblocked_at' | 'password_changed_at' | 'email_verified'>>;

/** Updates an existing user (never creates one) and stamps `updated_at`. */
export async function updateUser(userId: string, update: UserUpdate, options: UserStoreOptions & { now?: Date } = {}): Promise<void> {
  const fields = Object.entries({ ...update, updated_at: (options.now ?? new Date()).toISOString() }).filter(([, v]) => v !== undefined);
  await (options.client ?? ddb()).send(
    new UpdateCommand({
      TableName: tableOf(options),
      Key: { pk: userKey.user(userId) },
      UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.fromEntries(fields.map(([k], i) => [`#f${i}`, k])),
      ExpressionAttributeValues: Object.fromEntries(fields.map(([, v], i) => [`:v${i}`, v])),
    }),
  );
}
