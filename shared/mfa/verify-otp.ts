import type { TenantConfig } from '../tenant/model.ts';
import type { AuthenticatorRecord } from '../store/authenticators.ts';

/**
 * STUB (owner: helper C). Checks a TOTP code against the user's (active, or the one being
 * enrolled) otp authenticators: ±1 step, a step already used is refused (claimTotpStep),
 * failures spend the user's MFA failure bucket (Auth0: 10, refilled 1 per 6 min, §16.3; when
 * empty 429 `too_many_attempts`) and count toward brute-force protection.
 * Returns the authenticator that matched, or undefined for a wrong code.
 */
export async function verifyTotp(_input: {
  tenant: TenantConfig;
  userId: string;
  candidates: readonly AuthenticatorRecord[];
  code: string;
  nowMs?: number;
}): Promise<AuthenticatorRecord | undefined> {
  throw new Error('TODO(helper C): verifyTotp');
}

/** Spends one failure from the user's MFA failure bucket; throws 429 too_many_attempts when it is empty. Used by every MFA code check. */
export async function recordMfaFailure(_tenant: TenantConfig, _userId: string): Promise<void> {
  throw new Error('TODO(helper C): recordMfaFailure');
}

/** Throws 429 too_many_attempts if the user's MFA failure bucket is empty (checked before any code). */
export async function assertMfaAttemptsLeft(_tenant: TenantConfig, _userId: string): Promise<void> {
  throw new Error('TODO(helper C): assertMfaAttemptsLeft');
}
