import type { PasswordlessConnection } from '../connections/passwordless.ts';
import type { UserRecord } from '../store/users.ts';
import type { TenantConfig } from '../tenant/model.ts';

/**
 * STUB (owner: helper B — passwordless login). One passwordless login: the code checked
 * (shared/store/passwordless-codes.ts) under brute-force protection and suspicious-IP
 * throttling, then the user found — or created, unless the connection disables signup —
 * and the login recorded. Used by the passwordless OTP grant, the magic link and the hosted page.
 *
 * Throws OAuthError: 403 invalid_grant "Wrong email or verification code." / "Wrong phone
 * number or verification code." (wrong, expired, used, killed), 429 too_many_attempts,
 * 401 unauthorized "user is blocked".
 */
export interface PasswordlessLoginInput {
  readonly tenant: TenantConfig;
  readonly connection: PasswordlessConnection;
  /** The email or E.164 phone number, as sent to /passwordless/start. */
  readonly identifier: string;
  readonly code: string;
  readonly ip: string;
  readonly clientId: string;
  readonly issuer: string;
}

export async function passwordlessLogin(_input: PasswordlessLoginInput): Promise<UserRecord> {
  throw new Error('TODO(helper B): passwordlessLogin');
}
