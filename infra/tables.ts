/**
 * The DynamoDB tables, as plain data: the CDK stack and the local server both read this
 * module, so the tables on a laptop and in AWS cannot drift apart.
 *
 * Every key is a string attribute `pk` (plus `sk` where a table holds collections). Items that
 * expire carry `expiresAt` in epoch seconds; TTL deletes them lazily, so every read and every
 * condition also compares `expiresAt` with the clock (aws-notes §4.2).
 */
export type TableId = 'clients' | 'users' | 'codes' | 'rateLimits' | 'sessions' | 'refreshTokens' | 'authenticators';

export interface TableDefinition {
  readonly id: TableId;
  /** Environment variable through which handlers learn the physical table name. */
  readonly envVar: string;
  readonly sortKey: boolean;
  readonly ttlAttribute?: 'expiresAt';
  /** Durable tables get PITR, deletion protection and RETAIN; ephemeral ones do not. */
  readonly durable: boolean;
  readonly description: string;
}

export const tables: readonly TableDefinition[] = [
  {
    id: 'clients',
    envVar: 'TABLE_CLIENTS',
    sortKey: true,
    durable: true,
    description:
      'The tenant configuration applied from the tenant file: clients (secrets hashed), resource servers, client grants, connections, custom domains, settings. One partition, read whole and cached.',
  },
  {
    id: 'users',
    envVar: 'TABLE_USERS',
    sortKey: false,
    durable: true,
    description: 'Users of database connections, with uniqueness guards for email and username.',
  },
  {
    id: 'codes',
    envVar: 'TABLE_CODES',
    sortKey: false,
    ttlAttribute: 'expiresAt',
    durable: false,
    description:
      'One-time and short-lived artefacts, keyed by hash: client-assertion jti replay guards, authorization codes, login transactions, password-reset and unblock tickets.',
  },
  {
    id: 'sessions',
    envVar: 'TABLE_SESSIONS',
    sortKey: false,
    ttlAttribute: 'expiresAt',
    // Losing a session only means logging in again, as when it expires.
    durable: false,
    description: 'SSO sessions (the browser cookie holds the session id and a secret whose hash is stored), with idle and absolute lifetimes.',
  },
  {
    id: 'refreshTokens',
    envVar: 'TABLE_REFRESH_TOKENS',
    sortKey: false,
    ttlAttribute: 'expiresAt',
    // Losing refresh tokens would sign every application out: PITR and RETAIN, like users.
    durable: true,
    description: 'Refresh tokens (by hash) and their rotation families, for rotation, reuse detection and revocation.',
  },
  {
    id: 'authenticators',
    envVar: 'TABLE_AUTHENTICATORS',
    // pk `user#<user_id>`, sk the authenticator id (`totp|dev_…`): one Query lists a user's factors.
    sortKey: true,
    // Losing them would lock users out of MFA (or let them re-enrol without it): PITR and RETAIN.
    durable: true,
    description: "Users' MFA authenticators (TOTP seeds sealed with the secrets key, phone numbers, emails, recovery-code digests).",
  },
  {
    id: 'rateLimits',
    envVar: 'TABLE_RATE_LIMITS',
    sortKey: false,
    ttlAttribute: 'expiresAt',
    durable: false,
    description: 'Token-bucket (GCRA) state per rate-limit key.',
  },
];

/**
 * The physical table name used locally. The prefix lets several servers share one
 * DynamoDB Local (`DYNAMODB_ENDPOINT`) without seeing each other's data.
 */
export function localTableName(id: TableId, prefix = 'portcullis'): string {
  return `${prefix}-${id}`;
}
