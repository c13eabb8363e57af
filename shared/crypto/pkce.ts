import { sha256Base64Url } from './digest.ts';

/**
 * PKCE (RFC 7636) with the one method Auth0 supports, S256 (reference §2.1): the challenge is
 * BASE64URL(SHA-256(ASCII(code_verifier))), always 43 characters.
 */

/** §4.1: code_verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". */
export function isValidCodeVerifier(verifier: string): boolean {
  return /^[A-Za-z0-9\-._~]{43,128}$/.test(verifier);
}

/** An S256 challenge is the base64url (no padding) of 32 bytes. */
export function isValidS256Challenge(challenge: string): boolean {
  return /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(challenge);
}

/** §4.2: the S256 challenge of a verifier. */
export function s256Challenge(verifier: string): string {
  return sha256Base64Url(Buffer.from(verifier, 'ascii'));
}
