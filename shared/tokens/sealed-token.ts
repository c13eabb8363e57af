import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';
import { derivedKey } from './derived-key.ts';
import { keyset, type LoadedKey, type LoadedKeyset } from './keyset.ts';

/**
 * Stateless tokens only this deployment can read: a compact JWE (`dir`, `A256GCM`) of a JSON
 * object under a key derived (derived-key.ts) from the keyset's current RS256 private key, for
 * one use. The opaque /userinfo access tokens and the mfa_tokens are such tokens. No table is
 * read or written per token; the header names the key (`kid`) and the use (`cty`), so a token
 * stays readable while its key is in the keyset (next → current → previous) and not after, and
 * a token of one use never opens as another's.
 */
export interface SealedTokenUse {
  /** The JWE `cty`, checked before any decryption. */
  readonly contentType: string;
  /** The HKDF info of the content key: one key per use. */
  readonly keyInfo: string;
}

const keyAlg = 'RS256';
const contentKey = (key: LoadedKey, use: SealedTokenUse) => new Uint8Array(derivedKey(key, use.keyInfo));

export async function sealToken(use: SealedTokenUse, claims: object, loaded?: LoadedKeyset): Promise<string> {
  const key = (loaded ?? (await keyset())).signing.get(keyAlg);
  if (!key) throw new Error(`sealed tokens (${use.contentType}): no current ${keyAlg} key`);
  return new CompactEncrypt(Buffer.from(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: key.kid, cty: use.contentType })
    .encrypt(contentKey(key, use));
}

/**
 * The JSON object a token of this use holds, or undefined for anything else (another use's,
 * tampered, another deployment's, its key retired, not JSON, not an object). What the object
 * must contain, and whether it is still live, is the caller's to check.
 */
export async function openToken(use: SealedTokenUse, token: string, loaded?: LoadedKeyset): Promise<Record<string, unknown> | undefined> {
  let kid: unknown;
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== 'dir' || header.enc !== 'A256GCM' || header.cty !== use.contentType) return undefined;
    kid = header.kid;
  } catch {
    return undefined;
  }
  const key = (loaded ?? (await keyset())).keys.find((k) => k.kid === kid && k.alg === keyAlg);
  if (!key) return undefined;
  try {
    const { plaintext } = await compactDecrypt(token, contentKey(key, use), { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
    const value = JSON.parse(Buffer.from(plaintext).toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
