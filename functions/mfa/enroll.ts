import { invalidRequest } from '#shared/errors';
import { createEnrolment, deleteAbandonedEnrolments, type Enrolment, type NewFactor } from '#shared/mfa/enrolment';
import { listAuthenticators } from '#shared/store/authenticators';
import { alreadyEnrolled } from './errors.ts';

/**
 * Who may enrol through `POST /mfa/associate` (reference §8.2); the enrolment itself is
 * shared/mfa/enrolment.ts. Every enrolment starts inactive: the first right code at
 * /oauth/token confirms it (the mfa-* grants). The user's first enrolment also creates their
 * recovery code (when the tenant enables the factor), inactive until that confirmation, and
 * returns it once in clear; only its digest is stored.
 *
 * An `mfa_token` may enrol only a user with no active authenticator (§8.2 "User is already
 * enrolled"); such a user's unconfirmed enrolments are abandoned attempts and are replaced,
 * recovery code included, so a retried enrolment starts clean and the user holds exactly the
 * recovery code they were shown last (only while still unconfirmed: a conditional delete).
 */
/** Auth0 has no published cap; ours keeps a user's item collection (and its Query) small. */
const maxAuthenticators = 20;

export async function enrol(input: {
  userId: string;
  factor: NewFactor;
  withMfaToken: boolean;
  recoveryCodes: boolean;
  now?: Date;
}): Promise<Enrolment> {
  const { userId, factor } = input;
  let existing = await listAuthenticators(userId);
  if (input.withMfaToken) {
    if (existing.some((a) => a.active)) throw alreadyEnrolled();
    // Conditional deletes: one confirmed meanwhile stays, and this association is refused.
    if (!(await deleteAbandonedEnrolments(userId, existing))) throw alreadyEnrolled();
    existing = [];
  }
  if (existing.length >= maxAuthenticators) throw invalidRequest(`A user may have at most ${maxAuthenticators} authenticators.`);

  return createEnrolment({
    userId,
    factor,
    enrolledWith: input.withMfaToken ? 'mfa_token' : 'access_token',
    withRecoveryCode: input.recoveryCodes && !existing.some((a) => a.kind === 'recovery-code'),
    ...(input.now ? { now: input.now } : {}),
  });
}
