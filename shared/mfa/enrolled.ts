import type { AuthenticatorRecord } from '../store/authenticators.ts';

/**
 * Whether a user counts as enrolled in MFA: they have confirmed a second factor (a recovery
 * code is a way back in, not a factor), whatever its kind — even one the tenant has since
 * disabled. One rule for /mfa/associate ("User is already enrolled"), `mfa_requirements`
 * (`challenge`, not `enroll`), /mfa/challenge and the hosted pages (challenge, not
 * enrolment). Auth0 does the same: users whose only factor was disabled are not prompted to
 * enrol a new one ("No confirmed authenticators for the enabled factors") until an
 * administrator deletes that enrolment. The alternative — treating them as not enrolled —
 * would let anyone with only the password enrol their own factor and pass MFA as the user.
 * Factors of a disabled kind still never answer a challenge.
 */
export function isEnrolled(all: readonly AuthenticatorRecord[]): boolean {
  return all.some((a) => a.active && a.kind !== 'recovery-code');
}
