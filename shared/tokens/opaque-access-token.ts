import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';
import { derivedKey } from './derived-key.ts';
import { keyset, type LoadedKey, type LoadedKeyset } from './keyset.ts';

/**
 * The access token of a login without an audience: usable only at /userinfo and opaque to
 * clients (reference §15.1: "now an encrypted JWE blob"). It is stateless: a JWE (`dir`,
 * `A256GCM`) whose content key is derived with HKDF-SHA256 from the private part of the
 * keyset's current RS256 key, so no table is read or written per token, and a rotation
 * changes the key. The header names the key (`kid`), so a token stays readable while its key
 * is still in the keyset (next → current → previous), and not after.
 */
export interface OpaqueTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly client_id: string;
  readonly scope: string;
  readonly iat: number;
  readonly exp: number;
  /** RFC 8705 binding, as a JWT access token carries it. */
  readonly cnf?: { readonly 'x5t#S256': string };
}

/** Auth0's fixed lifetime of a /userinfo-only token from the token endpoint (reference §15.1). */
export const opaqueTokenLifetime = 86_400;
/** …and from the implicit flow (reference §2.1: "userinfo-only implicit tokens live 7200 s"). */
export const implicitOpaqueTokenLifetime = 7_200;

const keyAlg = 'RS256';
const contentType = 'portcullis-at';
// The salt and info bind the derived key to this one use of the signing key.
const contentKey = (key: LoadedKey) => new Uint8Array(derivedKey(key, 'opaque-access-token/A256GCM'));

export async function encryptOpaqueToken(claims: OpaqueTokenClaims, loaded?: LoadedKeyset): Promise<string> {
  const key = (loaded ?? (await keyset())).signing.get(keyAlg);
  if (!key) throw new Error(`opaque tokens: no current ${keyAlg} key`);
  return new CompactEncrypt(Buffer.from(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: key.kid, cty: contentType })
    .encrypt(contentKey(key));
}

/**
 * The claims of a token this deployment issued, or undefined for anything else: a token that
 * does not decrypt (tampered, another deployment's, its key retired) or is malformed.
 * Expiry and issuer are the caller's to check: it knows the clock and the request's issuer.
 */
export async function decryptOpaqueToken(token: string, loaded?: LoadedKeyset): Promise<OpaqueTokenClaims | undefined> {
  let kid: unknown;
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== 'dir' || header.enc !== 'A256GCM' || header.cty !== contentType) return undefined;
    kid = header.kid;
  } catch {
    return undefined;
  }
  const key = (loaded ?? (await keyset())).keys.find((k) => k.kid === kid && k.alg === keyAlg);
  if (!key) return undefined;
  try {
    const { plaintext } = await compactDecrypt(token, contentKey(key), {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    const claims = JSON.parse(Buffer.from(plaintext).toString('utf8')) as Partial<OpaqueTokenClaims> | null;
    if (!claims || typeof claims !== 'object') return undefined;
    const { iss, sub, client_id, scope, iat, exp } = claims;
    if (typeof iss !== 'string' || typeof sub !== 'string' || typeof client_id !== 'string' || typeof scope !== 'string') return undefined;
    if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
    return claims as OpaqueTokenClaims;
  } catch {
    return undefined;
  }
}

/** Whether a string has the shape of these tokens (five compact-JWE parts), before any crypto. */
export function looksLikeOpaqueToken(token: string): boolean {
  return token.split('.').length === 5;
}
