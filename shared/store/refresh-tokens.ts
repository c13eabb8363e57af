/**
 * STUB (owned by the tokens helper): refresh tokens and their rotation families
 * (refreshTokens table; only SHA-256 hashes of tokens are stored).
 */

/** Revokes a whole family (reuse detected, /oauth/revoke, a replayed authorization code). */
export async function revokeFamily(_familyId: string): Promise<void> {
  throw new Error('revokeFamily: not implemented yet');
}
