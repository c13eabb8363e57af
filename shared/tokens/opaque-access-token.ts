import type { LoadedKeyset } from './keyset.ts';
import { openToken, sealToken, type SealedTokenUse } from './sealed-token.ts';

/**
 * The access token of a login without an audience: usable only at /userinfo and opaque to
 * clients (reference §15.1: "now an encrypted JWE blob"). It is stateless: a sealed token
 * (./sealed-token.ts) under a key derived from the keyset for this use alone, so no table is
 * read or written per token, and it stays readable while its key is in the keyset.
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

const use: SealedTokenUse = { contentType: 'portcullis-at', keyInfo: 'opaque-access-token/A256GCM' };

export function encryptOpaqueToken(claims: OpaqueTokenClaims, loaded?: LoadedKeyset): Promise<string> {
  return sealToken(use, claims, loaded);
}

/**
 * The claims of a token this deployment issued, or undefined for anything else: a token that
 * does not decrypt (tampered, another deployment's, its key retired) or is malformed.
 * Expiry and issuer are the caller's to check: it knows the clock and the request's issuer.
 */
export async function decryptOpaqueToken(token: string, loaded?: LoadedKeyset): Promise<OpaqueTokenClaims | undefined> {
  const claims = await openToken(use, token, loaded);
  if (!claims) return undefined;
  const { iss, sub, client_id, scope, iat, exp } = claims;
  if (typeof iss !== 'string' || typeof sub !== 'string' || typeof client_id !== 'string' || typeof scope !== 'string') return undefined;
  if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
  return claims as unknown as OpaqueTokenClaims;
}

/** Whether a string has the shape of these tokens (five compact-JWE parts), before any crypto. */
export function looksLikeOpaqueToken(token: string): boolean {
  return token.split('.').length === 5;
}
