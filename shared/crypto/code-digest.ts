import { createHmac } from 'node:crypto';
import { derivedKey } from '../tokens/derived-key.ts';
import { keyset, type LoadedKey, type LoadedKeyset } from '../tokens/keyset.ts';
import { safeEqual } from './digest.ts';

/**
 * Keyed digests of short one-time codes (passwordless codes, MFA binding codes). A plain hash
 * of a 6-digit code is reversed by trying a million values, so a copy of the codes table
 * would give every live code away; an HMAC whose key is derived (HKDF-SHA256) from the
 * keyset's current RS256 private key needs the keyset too. The digest names its key (`kid`),
 * and verification uses that key while the keyset still holds it (next → current → previous
 * spans two rotation periods, far longer than any code lives).
 *
 * `purpose` separates the uses (a passwordless code's digest never verifies as an MFA code).
 */
const keyAlg = 'RS256';
const macKey = (key: LoadedKey) => derivedKey(key, 'one-time-code-digest/HS256');

const mac = (key: LoadedKey, purpose: string, code: string) => createHmac('sha256', macKey(key)).update(`${purpose}\n${code}`).digest('base64url');

/** `<kid>.<base64url HMAC>` of `code` for `purpose`. */
export async function digestCode(purpose: string, code: string, loaded?: LoadedKeyset): Promise<string> {
  const key = (loaded ?? (await keyset())).signing.get(keyAlg);
  if (!key) throw new Error(`code digests: no current ${keyAlg} key`);
  return `${key.kid}.${mac(key, purpose, code)}`;
}

/** Whether `code` is the one `stored` was made from, compared in constant time. */
export async function codeMatchesDigest(purpose: string, code: string, stored: string, loaded?: LoadedKeyset): Promise<boolean> {
  const dot = stored.lastIndexOf('.');
  if (dot <= 0) return false;
  const kid = stored.slice(0, dot);
  const key = (loaded ?? (await keyset())).keys.find((k) => k.kid === kid && k.alg === keyAlg);
  if (!key) return false;
  return safeEqual(stored.slice(dot + 1), mac(key, purpose, code));
}
