import type { ConnectionRecord, TenantConfig } from '../tenant/model.ts';

/**
 * STUB (owner: helper A — messages & /passwordless/start). A passwordless connection (`strategy`
 * `email` or `sms`, Auth0's names) read with Auth0's defaults.
 */
export interface PasswordlessConnection {
  readonly name: string;
  readonly strategy: 'email' | 'sms';
  readonly record: ConnectionRecord;
  /** `options.disable_signup`: unknown identities get no code and cannot log in. */
  readonly disableSignup: boolean;
  /** `options.brute_force_protection` (default true). */
  readonly bruteForceProtection: boolean;
  /** `options.totp.time_step`: seconds a code lives (Auth0 default 180). */
  readonly codeLifetimeSeconds: number;
  /** `options.totp.length`: digits of a code (Auth0 default 6). */
  readonly codeLength: number;
  /** `options.email` (email connections): `subject`, `body` (with `{{ code }}` / `{{ link }}`), `from`. */
  readonly emailTemplate?: { readonly subject?: string; readonly body?: string; readonly from?: string };
  /** `options.template` (sms connections), with `{{ code }}`. */
  readonly smsTemplate?: string;
}

export function isPasswordlessConnection(connection: ConnectionRecord): boolean {
  return connection.strategy === 'email' || connection.strategy === 'sms';
}

/** The passwordless connection `name` if it exists (and is enabled for `clientId` when one is given). */
export function passwordlessConnection(_tenant: TenantConfig, _name: string, _clientId: string | undefined): PasswordlessConnection | undefined {
  throw new Error('TODO(helper A): passwordlessConnection');
}

/** The passwordless connections enabled for a client, in tenant-file order (the login page's offer). */
export function passwordlessConnectionsFor(_tenant: TenantConfig, _clientId: string): PasswordlessConnection[] {
  throw new Error('TODO(helper A): passwordlessConnectionsFor');
}
