/**
 * STUB (owned by the users/dbconnections helper): user passwords. New hashes are argon2id
 * (shared/crypto/secret-hash.ts, OWASP parameters); bcrypt hashes imported from Auth0
 * (`$2a$`, `$2b$`, `$2y$`) verify too and ask to be rehashed.
 */
export interface PasswordCheck {
  readonly ok: boolean;
  /** True when the stored hash should be replaced by a fresh argon2id one (bcrypt, old parameters). */
  readonly needsRehash: boolean;
}

export async function hashPassword(_password: string): Promise<string> {
  throw new Error('hashPassword: not implemented yet');
}

/** Constant-time verification; false (never a throw) for a malformed stored hash. */
export async function verifyPassword(_password: string, _storedHash: string): Promise<PasswordCheck> {
  throw new Error('verifyPassword: not implemented yet');
}

/**
 * Spends about the time of one verification without a user, so an unknown identifier takes as
 * long as a wrong password (no user enumeration by timing).
 */
export async function verifyNothing(_password: string): Promise<void> {
  throw new Error('verifyNothing: not implemented yet');
}
