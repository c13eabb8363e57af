import { mfaFactorNames, type MfaFactorName, type TenantConfig } from '../tenant/model.ts';

/**
 * Whether a login needs a second factor: the tenant's policy is `all-applications`, at least
 * one factor a user can enrol is enabled, and the connection does not exempt its users
 * (`options.mfa.active: false`, as Auth0's passwordless and database connections allow).
 * Asking for the MFA API audience always needs it (reference §8: "requesting that audience
 * forces MFA"), whatever the policy: its tokens can enrol and remove factors.
 */
export function mfaApplies(tenant: TenantConfig, connection: string, audience: string | undefined, issuer: string): boolean {
  if (audience !== undefined && isMfaAudience(audience, issuer)) return true;
  return tenantAsksForMfa(tenant) && !connectionExempt(tenant, connection);
}

/**
 * Whether MFA can apply to any login for this audience, before knowing the connection: false
 * lets a hot path (the refresh grant) skip reading the user when the tenant never asks.
 */
export function mfaMayApply(tenant: TenantConfig, audience: string | undefined, issuer: string): boolean {
  return (audience !== undefined && isMfaAudience(audience, issuer)) || tenantAsksForMfa(tenant);
}

function tenantAsksForMfa(tenant: TenantConfig): boolean {
  const settings = tenant.settings.mfa;
  if (!settings || settings.policy !== 'all-applications') return false;
  // A recovery code is a way back in, not a factor of its own: alone it asks for nothing.
  return enabledFactors(tenant).some((factor) => factor !== 'recovery-code');
}

/** The factors the tenant enables, in a stable order (otp, sms, email, recovery-code). */
export function enabledFactors(tenant: TenantConfig): MfaFactorName[] {
  const factors = tenant.settings.mfa?.factors;
  if (!factors) return [];
  return mfaFactorNames.filter((name) => factors[name] === true);
}

/** The MFA API's audience for this issuer (`https://<domain>/mfa/`). */
export const mfaAudience = (issuer: string) => `${issuer}mfa/`;

/** The audience as Auth0 documents it, or without its trailing slash (both name the MFA API). */
export const isMfaAudience = (audience: string, issuer: string) => audience === mfaAudience(issuer) || audience === `${issuer}mfa`;

/** The scopes of an MFA-audience access token (reference §8). */
export const mfaApiScopes = ['enroll', 'read:authenticators', 'remove:authenticators'] as const;

function connectionExempt(tenant: TenantConfig, connection: string): boolean {
  const mfa = tenant.connections.get(connection)?.options.mfa as { active?: unknown } | undefined;
  return typeof mfa === 'object' && mfa !== null && mfa.active === false;
}
