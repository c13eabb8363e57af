import type { ConnectionRecord, TenantConfig } from '../tenant/model.ts';

/**
 * A passwordless connection (`strategy` `email` or `sms`, Auth0's names) read with Auth0's
 * defaults: codes of 6 digits living 180 s (`options.totp`), signup allowed, brute-force
 * protection on. Out-of-range numbers fall back to the defaults rather than failing a login.
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
  /** `options.template` (sms connections), with `{{ code }}` (or Auth0's older `@@password@@`). */
  readonly smsTemplate?: string;
}

export const passwordlessDefaults = {
  codeLifetimeSeconds: 180,
  codeLength: 6,
  /** Bounds as the tenant file checks them (infra/tenant/plan-connection.ts); outside them, the default. */
  lifetimeRange: [60, 86_400] as const,
  lengthRange: [4, 10] as const,
};

export function isPasswordlessConnection(connection: ConnectionRecord): boolean {
  return connection.strategy === 'email' || connection.strategy === 'sms';
}

const inRange = (value: unknown, [min, max]: readonly [number, number], fallback: number) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : fallback;
const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** The connection's options with Auth0's defaults (the caller checked the strategy). */
export function readPasswordlessConnection(record: ConnectionRecord): PasswordlessConnection {
  const o = record.options;
  const totp = (typeof o.totp === 'object' && o.totp !== null ? o.totp : {}) as { time_step?: unknown; length?: unknown };
  const email = (typeof o.email === 'object' && o.email !== null ? o.email : undefined) as { subject?: unknown; body?: unknown; from?: unknown } | undefined;
  const strategy = record.strategy === 'sms' ? 'sms' : 'email';
  const emailTemplate = email ? { subject: str(email.subject), body: str(email.body), from: str(email.from) } : undefined;
  const smsTemplate = str(o.template);
  return {
    name: record.name,
    strategy,
    record,
    disableSignup: o.disable_signup === true,
    bruteForceProtection: o.brute_force_protection !== false,
    codeLifetimeSeconds: inRange(totp.time_step, passwordlessDefaults.lifetimeRange, passwordlessDefaults.codeLifetimeSeconds),
    codeLength: inRange(totp.length, passwordlessDefaults.lengthRange, passwordlessDefaults.codeLength),
    ...(strategy === 'email' && emailTemplate ? { emailTemplate } : {}),
    ...(strategy === 'sms' && smsTemplate ? { smsTemplate } : {}),
  };
}

/** The passwordless connection `name` if it exists (and is enabled for `clientId` when one is given). */
export function passwordlessConnection(tenant: TenantConfig, name: string, clientId: string | undefined): PasswordlessConnection | undefined {
  const record = tenant.connections.get(name);
  if (!record || !isPasswordlessConnection(record)) return undefined;
  if (clientId !== undefined && !record.enabled_clients.includes(clientId)) return undefined;
  return readPasswordlessConnection(record);
}

/** The passwordless connections enabled for a client, in tenant-file order (the login page's offer). */
export function passwordlessConnectionsFor(tenant: TenantConfig, clientId: string): PasswordlessConnection[] {
  return [...tenant.connections.values()].filter((c) => isPasswordlessConnection(c) && c.enabled_clients.includes(clientId)).map(readPasswordlessConnection);
}

/** Auth0's pattern for `phone_number` (reference §7.1). */
export const phonePattern = /^\+[0-9]{1,15}$/;

/**
 * An email address as Auth0's schema accepts it: a dot-atom local part, `@`, and a domain of
 * at least two labels (letters, digits, inner hyphens). Not RFC 5322 in full — quoted local
 * parts and IP literals are refused, as by Auth0's `email` format — and at most 320 characters.
 */
const emailPattern = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isValidEmail(email: string): boolean {
  return email.length <= 320 && emailPattern.test(email);
}

/**
 * The identity a code is issued to and checked against: the lower-cased, trimmed email of an
 * `email` connection, or the E.164 number of an `sms` one; undefined when it is not valid.
 * /passwordless/start, the passwordless grant, the magic link and the hosted page all use it,
 * so `Jane@Example.com` at start and `jane@example.com` at login are one identity.
 */
export function passwordlessIdentifier(connection: Pick<PasswordlessConnection, 'strategy'>, raw: string): string | undefined {
  const value = raw.trim();
  if (connection.strategy === 'sms') return phonePattern.test(value) ? value : undefined;
  const email = value.toLowerCase();
  return isValidEmail(email) ? email : undefined;
}
