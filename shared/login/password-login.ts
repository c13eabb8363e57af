import type { DatabaseConnection } from '../connections/database.ts';
import type { UserRecord } from '../store/users.ts';
import type { TenantConfig } from '../tenant/model.ts';

/**
 * STUB (owned by the attack-protection helper): one username/password login against a
 * database connection, with brute-force protection and suspicious-IP throttling around it,
 * bcrypt → argon2id rehash on success. Used by the password grants and the login page.
 *
 * Throws OAuthError: 403 invalid_grant "Wrong email or password." (unknown user too, same
 * timing), 429 too_many_attempts (blocked pair / suspicious IP), 401 unauthorized
 * "user is blocked" (administrator block).
 */
export interface PasswordLoginInput {
  readonly tenant: TenantConfig;
  readonly connection: DatabaseConnection;
  /** Email or username, as typed. */
  readonly identifier: string;
  readonly password: string;
  /** The end user's IP (RequestContext.clientIp, or a trusted auth0-forwarded-for). */
  readonly ip: string;
  readonly clientId: string;
  /** Base URL for links in notification emails (the request's issuer). */
  readonly issuer: string;
}

export async function passwordLogin(_input: PasswordLoginInput): Promise<UserRecord> {
  throw new Error('passwordLogin: not implemented yet');
}
