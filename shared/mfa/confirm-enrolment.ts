import { activateAuthenticator, type AuthenticatorRecord } from '../store/authenticators.ts';

/**
 * The first right code for a pending enrolment confirms it (reference §8.2: enrolment is
 * confirmed by the mfa-otp / mfa-oob grant), and with it the recovery code /mfa/associate
 * handed out: a user who never finished enrolling has no recovery code either. Only when the
 * user has no active recovery code, and only the newest pending one — the one shown with this
 * enrolment. Losing a race to activate is fine: the authenticator is active either way.
 */
export async function confirmEnrolment(userId: string, confirmed: AuthenticatorRecord, all: readonly AuthenticatorRecord[], now = new Date()): Promise<void> {
  const recovery = all.filter((a) => a.kind === 'recovery-code');
  const pendingRecovery = recovery.some((a) => a.active) ? undefined : newest(recovery.filter((a) => !a.active));
  await Promise.all([
    confirmed.active ? Promise.resolve(false) : activateAuthenticator(userId, confirmed.id, now),
    pendingRecovery ? activateAuthenticator(userId, pendingRecovery.id, now) : Promise.resolve(false),
  ]);
}

function newest(records: readonly AuthenticatorRecord[]): AuthenticatorRecord | undefined {
  return [...records].sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
}

/**
 * Which authenticators may answer a login's second factor: the active ones; a user without
 * any active factor may instead answer with a pending enrolment (which confirms it). Not
 * both: a pending enrolment someone left behind with only the password must never stand in
 * for the factor the user actually confirmed.
 */
export function answeringAuthenticators(all: readonly AuthenticatorRecord[]): AuthenticatorRecord[] {
  const active = all.filter((a) => a.active && a.kind !== 'recovery-code');
  return active.length > 0 ? active : all.filter((a) => !a.active && a.kind !== 'recovery-code');
}
