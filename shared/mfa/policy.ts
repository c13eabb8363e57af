import type { MfaFactorName, TenantConfig } from '../tenant/model.ts';

/**
 * STUB (owner: helper C). Whether a login needs a second factor: the tenant's policy is
 * `all-applications`, at least one factor is enabled, and the connection does not exempt its
 * users (`options.mfa.active: false`). Asking for the MFA API audience always needs it (§8).
 */
export function mfaApplies(_tenant: TenantConfig, _connection: string, _audience: string | undefined, _issuer: string): boolean {
  throw new Error('TODO(helper C): mfaApplies');
}

/** The factors the tenant enables, in a stable order (otp, sms, email, recovery-code). */
export function enabledFactors(_tenant: TenantConfig): MfaFactorName[] {
  throw new Error('TODO(helper C): enabledFactors');
}

/** The MFA API's audience for this issuer (`https://<domain>/mfa/`). */
export const mfaAudience = (issuer: string) => `${issuer}mfa/`;

/** The scopes of an MFA-audience access token (reference §8). */
export const mfaApiScopes = ['enroll', 'read:authenticators', 'remove:authenticators'] as const;
