import { invalidGrant } from '../errors.ts';
import { activateAuthenticator, getAuthenticator, type AuthenticatorRecord } from '../store/authenticators.ts';

/**
 * The first right code for a pending enrolment confirms it (reference §8.2: enrolment is
 * confirmed by the mfa-otp / mfa-oob grant), and with it the recovery code /mfa/associate
 * handed out: a user who never finished enrolling has no recovery code either. Only when the
 * user has no active recovery code, and only the newest pending one — the one shown with this
 * enrolment. Losing the race to activate is fine only if the authenticator is active now (a
 * concurrent right code confirmed it); if it is gone (a newer /mfa/associate replaced it, or
 * it was deleted) the code confirmed nothing and the login is refused with `refused()` —
 * checked before the recovery code is touched, so a withdrawn enrolment activates nothing.
 */
export async function confirmEnrolment(
  userId: string,
  confirmed: AuthenticatorRecord,
  all: readonly AuthenticatorRecord[],
  options: { now?: Date; refused?: () => Error } = {},
): Promise<void> {
  const now = options.now ?? new Date();
  if (!confirmed.active && !(await activateAuthenticator(userId, confirmed.id, now))) {
    const current = await getAuthenticator(userId, confirmed.id);
    if (!current?.active) throw options.refused?.() ?? invalidGrant('The enrolment no longer exists.', { detail: 'pending authenticator withdrawn meanwhile' });
  }
  const recovery = all.filter((a) => a.kind === 'recovery-code');
  const pendingRecovery = recovery.some((a) => a.active) ? undefined : newest(recovery.filter((a) => !a.active));
  if (pendingRecovery) await activateAuthenticator(userId, pendingRecovery.id, now);
}

function newest(records: readonly AuthenticatorRecord[]): AuthenticatorRecord | undefined {
  return [...records].sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
}

/**
 * Which authenticators may answer a login's second factor (and, if pending, be confirmed by
 * it): the active ones; a user without any active factor may instead answer with a pending
 * enrolment (which confirms it — the mfa_token enrolment of §8.2).
 *
 * A user with an active factor adds more only with an MFA-API access token holding `enroll`
 * (§8.2: the mfa_token is refused, "User is already enrolled"), and that token took a second
 * factor to get (requesting the MFA audience always asks for one, §8). Such a pending
 * enrolment (`enrolled_with: 'access_token'`) is confirmed at /oauth/token like any other
 * (§8.2 "Enrollment is confirmed by calling /oauth/token with mfa-otp or mfa-oob"), with an
 * `mfa_token` of a login of that user: by mfa-oob with the oob_code and the binding code
 * /mfa/associate sent (the only challenge a pending authenticator can have, since
 * /mfa/challenge and the hosted challenge page pick active ones only), or by mfa-otp with a
 * code of the new TOTP seed (handed only to the holder of that token). Either proves the
 * factor that an already-MFA-authenticated caller chose, so it may also pass this login.
 *
 * Any other pending enrolment of such a user — one left by an mfa_token or the hosted page
 * before the user confirmed a factor, which anyone with the password could have started —
 * never stands in for the factor the user actually confirmed, and is never confirmed.
 */
export function answeringAuthenticators(all: readonly AuthenticatorRecord[]): AuthenticatorRecord[] {
  const factors = all.filter((a) => a.kind !== 'recovery-code');
  const active = factors.filter((a) => a.active);
  if (active.length === 0) return factors;
  return [...active, ...factors.filter((a) => !a.active && a.enrolled_with === 'access_token')];
}
