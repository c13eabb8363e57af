/**
 * STUB (owner: helper C). A user's MFA authenticators in the authenticators table: pk
 * `user#<user_id>`, sk the authenticator id (Auth0's shape: `totp|dev_…`, `sms|dev_…`,
 * `email|dev_…`, `recovery-code|dev_…`). Enrolments start inactive and are activated by the
 * first right code (a conditional write); a TOTP step, once accepted, cannot be used again.
 */
export type AuthenticatorKind = 'otp' | 'sms' | 'email' | 'recovery-code';

export interface AuthenticatorRecord {
  readonly id: string;
  readonly user_id: string;
  readonly kind: AuthenticatorKind;
  /** false until the enrolment is confirmed with a right code. */
  readonly active: boolean;
  /** ISO times. */
  readonly created_at: string;
  readonly confirmed_at?: string;
  /** otp: the base32 seed sealed with shared/crypto/secret-box.ts (context `{ user_id, authenticator_id }`). */
  readonly secret_sealed?: string;
  /** otp: the last TOTP step accepted (no reuse within the window). */
  readonly last_step?: number;
  /** sms: E.164. */
  readonly phone_number?: string;
  /** email. */
  readonly email?: string;
  /** recovery-code: SHA-256 digest of the current code (shared/mfa/recovery-codes.ts). */
  readonly code_digest?: string;
}

export function newAuthenticatorId(_kind: AuthenticatorKind): string {
  throw new Error('TODO(helper C): newAuthenticatorId');
}

export async function listAuthenticators(_userId: string): Promise<AuthenticatorRecord[]> {
  throw new Error('TODO(helper C): listAuthenticators');
}

export async function getAuthenticator(_userId: string, _id: string): Promise<AuthenticatorRecord | undefined> {
  throw new Error('TODO(helper C): getAuthenticator');
}

/** Stores a new authenticator (never overwrites). */
export async function putAuthenticator(_record: AuthenticatorRecord): Promise<void> {
  throw new Error('TODO(helper C): putAuthenticator');
}

/** Confirms an enrolment: true for the one caller that turned it active. */
export async function activateAuthenticator(_userId: string, _id: string, _now?: Date): Promise<boolean> {
  throw new Error('TODO(helper C): activateAuthenticator');
}

/** Deletes one; true when it existed. */
export async function deleteAuthenticator(_userId: string, _id: string): Promise<boolean> {
  throw new Error('TODO(helper C): deleteAuthenticator');
}

/** Accepts TOTP `step` for the authenticator only if no later-or-equal step was accepted before (conditional write). */
export async function claimTotpStep(_userId: string, _id: string, _step: number): Promise<boolean> {
  throw new Error('TODO(helper C): claimTotpStep');
}

/** Swaps the recovery code's digest from `oldDigest` to `newDigest`; true for the one caller that did. */
export async function replaceRecoveryCode(_userId: string, _id: string, _oldDigest: string, _newDigest: string): Promise<boolean> {
  throw new Error('TODO(helper C): replaceRecoveryCode');
}
