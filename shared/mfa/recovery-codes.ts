/**
 * STUB (owner: helper C). Recovery codes as Auth0 shows them (24 upper-case letters and
 * digits, no ambiguous characters); stored only as a SHA-256 digest (they carry enough entropy).
 */
export function newRecoveryCode(): string {
  throw new Error('TODO(helper C): newRecoveryCode');
}

/** What a user typed, made comparable: spaces and dashes dropped, upper-cased; undefined when it cannot be a code. */
export function normalizeRecoveryCode(_input: string): string | undefined {
  throw new Error('TODO(helper C): normalizeRecoveryCode');
}

export function recoveryCodeDigest(_normalized: string): string {
  throw new Error('TODO(helper C): recoveryCodeDigest');
}
