import { OAuthError } from '../errors.ts';
import { listAuthenticators, type AuthenticatorKind } from '../store/authenticators.ts';
import type { UserRecord } from '../store/users.ts';
import type { ClientRecord, MfaFactorName, TenantConfig } from '../tenant/model.ts';
import { isEnrolled } from './enrolled.ts';
import { issueMfaToken } from './mfa-token.ts';
import { enabledFactors, mfaApplies } from './policy.ts';

/**
 * What the grants that log a user in (password, password-realm, passwordless OTP) call once
 * the first factor passed: when the tenant's MFA policy applies (shared/mfa/policy.ts), throws
 * Auth0's 403 `{"error":"mfa_required","error_description":"Multifactor authentication
 * required","mfa_token":"…","mfa_requirements":{…}}` (reference §8.5), the mfa_token carrying
 * what the grant would have issued; otherwise returns and the grant issues tokens.
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

/** One entry of `mfa_requirements.challenge` / `.enroll`, in Auth0's type names. */
export interface MfaRequirement {
  readonly type: 'otp' | 'phone' | 'email' | 'recovery-code';
}

export type MfaRequirements = { readonly challenge: MfaRequirement[] } | { readonly enroll: MfaRequirement[] };

export async function assertNoMfaRequired(login: FirstFactor): Promise<void> {
  const { tenant, issuer, client, user } = login;
  if (!mfaApplies(tenant, login.connection, login.audience, issuer)) return;
  const [requirements, mfaToken] = await Promise.all([
    mfaRequirementsOf(tenant, user.user_id),
    issueMfaToken({
      iss: issuer,
      sub: user.user_id,
      client_id: client.client_id,
      connection: login.connection,
      scope: [...login.scopes],
      ...(login.audience !== undefined ? { audience: login.audience } : {}),
      gty: login.gty,
      auth_time: login.authTime,
    }),
  ]);
  // 403, not 401: Auth0's status for mfa_required (reference §1.4).
  throw new OAuthError(403, 'mfa_required', 'Multifactor authentication required', {
    detail: `second factor needed: ${'challenge' in requirements ? 'challenge' : 'enroll'}`,
    extra: { mfa_token: mfaToken, mfa_requirements: requirements },
  });
}

/** Auth0's names for the factors in `mfa_requirements` (reference §3.4, §8.5): SMS is `phone`. */
const requirementType: Record<MfaFactorName, MfaRequirement['type']> = {
  otp: 'otp',
  sms: 'phone',
  email: 'email',
  'recovery-code': 'recovery-code',
};

const factorOf: Record<AuthenticatorKind, MfaFactorName> = { otp: 'otp', sms: 'sms', email: 'email', 'recovery-code': 'recovery-code' };

/**
 * What the user can answer with: `challenge` lists the enabled factors the user has an active
 * authenticator for (as auth0-spa-js' MfaRequirements reads it); a user who is not enrolled
 * (shared/mfa/enrolled.ts) must enrol first, so `enroll` lists the enabled factors one can
 * enrol (a recovery code comes with the first enrolment, never alone). A user enrolled only
 * with factors the tenant has since disabled gets `challenge` with what is left (perhaps
 * nothing): /mfa/associate would refuse them an mfa_token enrolment, so `enroll` would lie.
 */
export async function mfaRequirementsOf(tenant: TenantConfig, userId: string): Promise<MfaRequirements> {
  const enabled = enabledFactors(tenant);
  const all = await listAuthenticators(userId);
  const active = new Set(all.filter((a) => a.active).map((a) => factorOf[a.kind]));
  const challenge = enabled.filter((factor) => active.has(factor)).map((factor) => ({ type: requirementType[factor] }));
  if (challenge.length > 0 || isEnrolled(all)) return { challenge };
  return { enroll: enabled.filter((factor) => factor !== 'recovery-code').map((factor) => ({ type: requirementType[factor] })) };
}
