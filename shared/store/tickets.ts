import { randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import { sha256Base64Url } from '../crypto/digest.ts';
import { ddb, isConditionalCheckFailed } from './ddb.ts';

/**
 * One-time tickets carried by emailed links (password reset, unblock). The link holds a random
 * ticket; the codes table holds only its SHA-256 under `<kind>#`, the data the ticket stands
 * for, and `expiresAt`. Redeeming is a conditional delete: of N concurrent redemptions exactly
 * one gets the data back. An expired ticket that TTL has not deleted yet counts as absent.
 */
export type TicketKind = 'reset' | 'unblock';

export interface TicketStoreOptions {
  readonly tableName?: string;
  readonly client?: DynamoDBDocumentClient;
  /** The clock, for tests. */
  readonly now?: Date;
}

export type TicketData = Readonly<Record<string, string | number | boolean>>;

const key = (kind: TicketKind, ticket: string) => `${kind}#${sha256Base64Url(ticket)}`;
const seconds = (options: TicketStoreOptions) => Math.floor((options.now ?? new Date()).getTime() / 1000);
const tableOf = (options: TicketStoreOptions) => options.tableName ?? runtimeConfig().tables.codes;

/** 256 random bits: unguessable, so the ticket is also the reset form's CSRF token. */
const newTicket = () => randomBytes(32).toString('base64url');

/** A URL-safe ticket valid for `ttlSeconds`, redeemable once for `data`. */
export async function createTicket(kind: TicketKind, data: TicketData, ttlSeconds: number, options: TicketStoreOptions = {}): Promise<string> {
  const ticket = newTicket();
  await (options.client ?? ddb()).send(
    new PutCommand({
      TableName: tableOf(options),
      Item: { pk: key(kind, ticket), kind, data, expiresAt: seconds(options) + ttlSeconds },
      // 256 random bits never collide; the condition makes sure we never overwrite one anyway.
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return ticket;
}

/** The ticket's data if it is still valid, without using it up (to render the page it opens). */
export async function peekTicket(kind: TicketKind, ticket: string, options: TicketStoreOptions = {}): Promise<TicketData | undefined> {
  if (!wellFormed(ticket)) return undefined;
  const out = await (options.client ?? ddb()).send(new GetCommand({ TableName: tableOf(options), Key: { pk: key(kind, ticket) }, ConsistentRead: true }));
  const item = out.Item as { data?: TicketData; expiresAt?: number } | undefined;
  if (!item?.data || typeof item.expiresAt !== 'number' || item.expiresAt <= seconds(options)) return undefined;
  return item.data;
}

/** Uses the ticket up: its data for the one caller that wins, undefined for everyone else. */
export async function redeemTicket(kind: TicketKind, ticket: string, options: TicketStoreOptions = {}): Promise<TicketData | undefined> {
  if (!wellFormed(ticket)) return undefined;
  try {
    const out = await (options.client ?? ddb()).send(
      new DeleteCommand({
        TableName: tableOf(options),
        Key: { pk: key(kind, ticket) },
        ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
        ExpressionAttributeValues: { ':now': seconds(options) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return (out.Attributes as { data?: TicketData } | undefined)?.data;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

/** Our tickets are 43 base64url characters; anything else is not worth a database read. */
function wellFormed(ticket: string): boolean {
  return typeof ticket === 'string' && /^[A-Za-z0-9_-]{43}$/.test(ticket);
}
