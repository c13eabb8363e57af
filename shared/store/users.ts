import { randomBytes } from 'node:crypto';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import { ddb } from './ddb.ts';

/**
 * Users of database connections. Uniqueness of email (and username) per connection is held
 * by guard items written in the same transaction as the user, each with
 * `attribute_not_exists(pk)`: of two concurrent signups with one email exactly one commits
 * (aws-notes §4.2). Passwords arrive here already hashed.
 */
export interface NewUser {
  readonly connection: string;
  readonly email: string;
  readonly username?: string;
  readonly password_hash: string;
  readonly email_verified: boolean;
  readonly user_metadata: Record<string, unknown>;
  readonly app_metadata: Record<string, unknown>;
}

export const userKey = {
  user: (userId: string) => `user#${userId}`,
  email: (connection: string, email: string) => `email#${connection}#${email.toLowerCase()}`,
  username: (connection: string, username: string) => `username#${connection}#${username.toLowerCase()}`,
};

/** Auth0-shaped user id: `auth0|` and 24 hex characters. */
export const newUserId = () => `auth0|${randomBytes(12).toString('hex')}`;

export type CreateUserResult = { ok: true; userId: string } | { ok: false; reason: 'exists' };

export async function createUser(
  user: NewUser,
  options: { tableName?: string; client?: DynamoDBDocumentClient; now?: Date } = {},
): Promise<CreateUserResult> {
  const table = options.tableName ?? runtimeConfig().tables.users;
  const userId = newUserId();
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
          guard(userKey.email(user.connection, user.email)),
          ...(user.username ? [guard(userKey.username(user.connection, user.username))] : []),
        ],
      }),
    );
    return { ok: true, userId };
  } catch (error) {
    // Only a failed uniqueness condition means "exists"; throttling or a conflict is an error.
    const reasons = (error as { name?: string; CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    if ((error as { name?: string }).name === 'TransactionCanceledException' && reasons.some((r) => r.Code === 'ConditionalCheckFailed')) {
      return { ok: false, reason: 'exists' };
    }
    throw error;
  }
}
