import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import { ddb } from './ddb.ts';

/**
 * What a user agreed a third-party application may have (Auth0 asks first-party applications
 * nothing): one item per user and client in the users table, `consent#<user_id>#<client_id>`,
 * whose string set holds `<scope> <audience>` pairs (scopes never contain spaces). Consents
 * only grow, with an atomic `ADD`, so two concurrent consent pages cannot lose each other's.
 */
const key = (userId: string, clientId: string) => `consent#${userId}#${clientId}`;
const entry = (scope: string, audience: string | undefined) => `${scope} ${audience ?? ''}`;
const table = () => runtimeConfig().tables.users;

export async function addConsent(userId: string, clientId: string, audience: string | undefined, scopes: readonly string[], nowSeconds = Math.floor(Date.now() / 1000)): Promise<void> {
  const entries = new Set(scopes.map((s) => entry(s, audience)));
  await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: { pk: key(userId, clientId) },
      UpdateExpression: entries.size > 0 ? 'ADD scopes :entries SET granted_at = :now, user_id = :user, client_id = :client' : 'SET granted_at = :now, user_id = :user, client_id = :client',
      ExpressionAttributeValues: { ...(entries.size > 0 ? { ':entries': entries } : {}), ':now': nowSeconds, ':user': userId, ':client': clientId },
    }),
  );
}

/**
 * Whether the user consented to every scope for this client and audience — and, when `since`
 * is given (prompt=consent asks again), whether the last consent was given at or after it.
 */
export async function hasConsent(userId: string, clientId: string, audience: string | undefined, scopes: readonly string[], since?: number): Promise<boolean> {
  const out = await ddb().send(new GetCommand({ TableName: table(), Key: { pk: key(userId, clientId) }, ConsistentRead: true }));
  const item = out.Item as { scopes?: Set<string>; granted_at?: number } | undefined;
  if (!item) return false;
  if (since !== undefined && !(Number(item.granted_at) >= since)) return false;
  const granted = item.scopes ?? new Set<string>();
  return scopes.every((s) => granted.has(entry(s, audience)));
}
