import type { ConnectionRecord, TenantConfig } from '../tenant/model.ts';

/**
 * A database connection's options as Auth0 names them (Management API `options`), read from
 * the stored connection with Auth0's defaults. Unknown options stay in the record.
 */
export type PasswordPolicy = 'none' | 'low' | 'fair' | 'good' | 'excellent';

export interface DatabaseConnection {
  readonly name: string;
  readonly record: ConnectionRecord;
  readonly requiresUsername: boolean;
  readonly disableSignup: boolean;
  /** Auth0's default for new database connections is `good`. */
  readonly passwordPolicy: PasswordPolicy;
  /** `password_complexity_options.min_length` (1–128), overriding the policy's minimum. */
  readonly minLength: number | undefined;
  /** `brute_force_protection` (default true): per-connection switch of brute-force protection. */
  readonly bruteForceProtection: boolean;
}

const policies: readonly PasswordPolicy[] = ['none', 'low', 'fair', 'good', 'excellent'];

export function isDatabaseConnection(connection: ConnectionRecord): boolean {
  return connection.strategy === 'auth0';
}

export function databaseConnection(connection: ConnectionRecord): DatabaseConnection {
  const o = connection.options;
  const policy = typeof o.passwordPolicy === 'string' && policies.includes(o.passwordPolicy as PasswordPolicy) ? (o.passwordPolicy as PasswordPolicy) : 'good';
  const complexity = (o.password_complexity_options ?? {}) as { min_length?: unknown };
  const minLength = typeof complexity.min_length === 'number' && complexity.min_length >= 1 && complexity.min_length <= 128 ? complexity.min_length : undefined;
  return {
    name: connection.name,
    record: connection,
    requiresUsername: o.requires_username === true,
    disableSignup: o.disable_signup === true,
    passwordPolicy: policy,
    minLength,
    bruteForceProtection: o.brute_force_protection !== false,
  };
}

/**
 * The database connection `name` if it exists and is enabled for `clientId`, else undefined.
 * Auth0 treats a connection not enabled for the application as not found.
 */
export function enabledDatabaseConnection(tenant: TenantConfig, name: string, clientId: string | undefined): DatabaseConnection | undefined {
  const connection = tenant.connections.get(name);
  if (!connection || !isDatabaseConnection(connection)) return undefined;
  if (clientId !== undefined && !connection.enabled_clients.includes(clientId)) return undefined;
  return databaseConnection(connection);
}

/** The database connections enabled for a client, in tenant-file order (the login page's choice). */
export function databaseConnectionsFor(tenant: TenantConfig, clientId: string): DatabaseConnection[] {
  return [...tenant.connections.values()].filter((c) => isDatabaseConnection(c) && c.enabled_clients.includes(clientId)).map(databaseConnection);
}
