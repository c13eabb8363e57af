import { invalidRequest } from '#shared/errors';
import { sealSecret } from '#shared/crypto/secret-box';
import { newRecoveryCode, normalizeRecoveryCode, recoveryCodeDigest } from '#shared/mfa/recovery-codes';
import { newTotpSecret } from '#shared/mfa/totp';
import {
  deletePendingAuthenticator,
  listAuthenticators,
  newAuthenticatorId,
  putAuthenticator,
  type AuthenticatorKind,
  type AuthenticatorRecord,
} from '#shared/store/authenticators';
import { alreadyEnrolled } from './errors.ts';

/**
 * The store side of `POST /mfa/associate` (reference §8.2). Every enrolment starts inactive:
 * the first right code at /oauth/token confirms it (the mfa-* grants). The user's first
 * enrolment also creates their recovery code (when the tenant enables the factor), inactive
 * until that confirmation, and returns it once in clear; only its digest is stored.
 *
 * An `mfa_token` may enrol only a user with no active authenticator (§8.2 "User is already
 * enrolled"); such a user's unconfirmed enrolments are abandoned attempts and are replaced,
 * recovery code included, so a retried enrolment starts clean and the user holds exactly the
 * recovery code they were shown last (only while still unconfirmed: a conditional delete).
 */
export interface Enrolment {
  readonly authenticator: AuthenticatorRecord;
  /** otp: the base32 seed, for `secret` and `barcode_uri` (stored only sealed). */
  readonly secret?: string;
  /** First enrolment only. */
  readonly recoveryCode?: string;
}

export type NewFactor = { readonly kind: 'otp' } | { readonly kind: 'sms'; readonly phoneNumber: string } | { readonly kind: 'email'; readonly email: string };

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
  const now = (input.now ?? new Date()).toISOString();
  let existing = await listAuthenticators(userId);
  if (input.withMfaToken) {
    if (existing.some((a) => a.active)) throw alreadyEnrolled();
    // Conditional deletes: one confirmed meanwhile stays, and this association is refused.
    const deleted = await Promise.all(existing.map((a) => deletePendingAuthenticator(userId, a.id)));
    if (deleted.includes(false)) throw alreadyEnrolled();
    existing = [];
  }
  if (existing.length >= maxAuthenticators) throw invalidRequest(`A user may have at most ${maxAuthenticators} authenticators.`);

  const enrolledWith = input.withMfaToken ? ('mfa_token' as const) : ('access_token' as const);
  const base = (kind: AuthenticatorKind) => ({ id: newAuthenticatorId(kind), user_id: userId, kind, active: false, created_at: now, enrolled_with: enrolledWith });
  let authenticator: AuthenticatorRecord;
  let secret: string | undefined;
  if (factor.kind === 'otp') {
    secret = newTotpSecret();
    const record = base('otp');
    authenticator = { ...record, secret_sealed: await sealSecret(secret, { user_id: userId, authenticator_id: record.id }) };
  } else if (factor.kind === 'sms') {
    authenticator = { ...base('sms'), phone_number: factor.phoneNumber };
  } else {
    authenticator = { ...base('email'), email: factor.email };
  }

  let recoveryCode: string | undefined;
  if (input.recoveryCodes && !existing.some((a) => a.kind === 'recovery-code')) {
    recoveryCode = newRecoveryCode();
    const normalized = normalizeRecoveryCode(recoveryCode);
    if (normalized === undefined) throw new Error('newRecoveryCode made a code normalizeRecoveryCode refuses');
    await putAuthenticator({ ...base('recovery-code'), code_digest: recoveryCodeDigest(normalized) });
  }
  await putAuthenticator(authenticator);
  return { authenticator, ...(secret ? { secret } : {}), ...(recoveryCode ? { recoveryCode } : {}) };
}
