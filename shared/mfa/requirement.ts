import type { ClientRecord, TenantConfig } from '../tenant/model.ts';
import type { UserRecord } from '../store/users.ts';

/**
 * STUB (owner: helper E — token side of MFA). What the grants that log a user in (password,
 * password-realm, passwordless OTP) call once the first factor passed: when the tenant's MFA
 * policy applies (shared/mfa/policy.ts), throws Auth0's 403
 * `{"error":"mfa_required","error_description":"Multifactor authentication required",
 *   "mfa_token":"…","mfa_requirements":{"challenge":[…]}}` (reference §8.5), the mfa_token
 * carrying what the grant would have issued; otherwise returns and the grant issues tokens.
 */
export interface FirstFactor {
  readonly tenant: TenantConfig;
  readonly issuer: string;
  readonly client: ClientRecord;
  readonly user: UserRecord;
  readonly connection: string;
  /** The scopes and audience the grant granted (grantUserScopes). */
  readonly scopes: readonly string[];
  readonly audience: string | undefined;
  readonly gty: string;
  /** Epoch seconds of the first factor. */
  readonly authTime: number;
}

export async function assertNoMfaRequired(_login: FirstFactor): Promise<void> {
  // Until helper E lands: no tenant asks for MFA yet.
}
