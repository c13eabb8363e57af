import { deletePendingAuthenticator, newAuthenticatorId, putAuthenticator, type AuthenticatorKind, type AuthenticatorRecord } from '../store/authenticators.ts';
import { newRecoveryCode, normalizeRecoveryCode, recoveryCodeDigest } from './recovery-codes.ts';
import { newTotpSecret } from './totp.ts';
import { sealTotpSecret } from './verify-otp.ts';

/**
 * The store side of starting an MFA enrolment, for the MFA API (`POST /mfa/associate`,
 * reference §8.2) and the hosted /u/mfa-enrollment page; each keeps its own rules about who
 * may enrol. Every enrolment starts inactive: the first right code confirms it (one
 * conditional write). A TOTP seed is stored only sealed to its user and authenticator
 * (sealTotpSecret) and returned once in clear, to be shown.
 */
export type NewFactor = { readonly kind: 'otp' } | { readonly kind: 'sms'; readonly phoneNumber: string } | { readonly kind: 'email'; readonly email: string };

export interface Enrolment {
  readonly authenticator: AuthenticatorRecord;
  /** otp: the base32 seed, for `secret` / `barcode_uri` or the page's QR code. */
  readonly secret?: string;
  /** When asked for: the new recovery code, in clear this once (only its digest is stored). */
  readonly recoveryCode?: string;
}

export interface EnrolmentInput {
  readonly userId: string;
  readonly factor: NewFactor;
  /** The MFA API records how the enrolment was authorised. */
  readonly enrolledWith?: 'mfa_token' | 'access_token';
  /** Also create the user's recovery code, pending with the enrolment (it turns active with it). */
  readonly withRecoveryCode: boolean;
  readonly now?: Date;
}

export async function createEnrolment(input: EnrolmentInput): Promise<Enrolment> {
  const { userId, factor, enrolledWith } = input;
  const now = (input.now ?? new Date()).toISOString();
  const base = (kind: AuthenticatorKind) => ({
    id: newAuthenticatorId(kind),
    user_id: userId,
    kind,
    active: false,
    created_at: now,
    ...(enrolledWith ? { enrolled_with: enrolledWith } : {}),
  });
  let authenticator: AuthenticatorRecord;
  let secret: string | undefined;
  if (factor.kind === 'otp') {
    secret = newTotpSecret();
    const record = base('otp');
    authenticator = { ...record, secret_sealed: await sealTotpSecret(userId, record.id, secret) };
  } else if (factor.kind === 'sms') {
    authenticator = { ...base('sms'), phone_number: factor.phoneNumber };
  } else {
    authenticator = { ...base('email'), email: factor.email };
  }

  let recoveryCode: string | undefined;
  if (input.withRecoveryCode) {
    recoveryCode = newRecoveryCode();
    const normalized = normalizeRecoveryCode(recoveryCode);
    if (normalized === undefined) throw new Error('newRecoveryCode made a code normalizeRecoveryCode refuses');
    // Stored before the authenticator, so whoever confirms it (confirm-enrolment.ts) finds the code to activate with it.
    await putAuthenticator({ ...base('recovery-code'), code_digest: recoveryCodeDigest(normalized) });
  }
  await putAuthenticator(authenticator);
  return { authenticator, ...(secret ? { secret } : {}), ...(recoveryCode ? { recoveryCode } : {}) };
}

/**
 * Deletes the user's unconfirmed authenticators among `authenticators` — abandoned
 * enrolments, recovery code included — so only the secret shown now can become their factor.
 * Each delete is conditional: one confirmed meanwhile stays. Whether every one went.
 */
export async function deleteAbandonedEnrolments(userId: string, authenticators: readonly AuthenticatorRecord[]): Promise<boolean> {
  const deleted = await Promise.all(authenticators.filter((a) => !a.active).map((a) => deletePendingAuthenticator(userId, a.id)));
  return !deleted.includes(false);
}
