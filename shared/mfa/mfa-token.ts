import { randomBytes } from 'node:crypto';
import { invalidGrant, OAuthError } from '../errors.ts';
import type { LoadedKeyset } from '../tokens/keyset.ts';
import { openToken, sealToken, type SealedTokenUse } from '../tokens/sealed-token.ts';

/**
 * The `mfa_token` of an `mfa_required` answer (reference §8.5): a stateless, encrypted token
 * that lives 10 minutes (§3.8) and says whose first factor passed and what the grant asked
 * for, so the MFA grants can issue exactly those tokens. Like the opaque /userinfo tokens
 * (shared/tokens/opaque-access-token.ts) it is a sealed token (shared/tokens/sealed-token.ts):
 * a JWE under a key derived from the keyset for this use alone, with its own
 * `cty`: one can never be read as the other. No table is touched per token; a rotation that
 * retires the key ends the tokens it made.
 */
export const mfaTokenLifetimeSeconds = 600;

export interface MfaTokenClaims {
  readonly iss: string;
  /** The user whose first factor passed. */
  readonly sub: string;
  readonly client_id: string;
  /** The connection of the first factor. */
  readonly connection: string;
  /** The scopes and audience the original grant granted (grantUserScopes' result). */
  readonly scope: readonly string[];
  readonly audience?: string;
  /** The original grant's `gty` (`password`, `passwordless`…), kept for the tokens' claims. */
  readonly gty?: string;
  /** Epoch seconds of the first factor. */
  readonly auth_time: number;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

const use: SealedTokenUse = { contentType: 'portcullis-mfa', keyInfo: 'mfa-token/A256GCM' };

export async function issueMfaToken(claims: Omit<MfaTokenClaims, 'iat' | 'exp' | 'jti'>, nowMs = Date.now(), loaded?: LoadedKeyset): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const full: MfaTokenClaims = { ...claims, iat, exp: iat + mfaTokenLifetimeSeconds, jti: randomBytes(16).toString('base64url') };
  return sealToken(use, full, loaded);
}

const malformed = (detail: string) => invalidGrant('Malformed mfa_token', { detail });

/**
 * The claims of a live mfa_token issued by this issuer to this client. Throws OAuthError:
 * 403 `invalid_grant` "Malformed mfa_token" (anything that does not decrypt, another client's,
 * another issuer's), 403 `expired_token` "mfa_token is expired".
 * `clientId` undefined (helper D): any client's token — the MFA API's bearer uses
 * (`GET /mfa/authenticators`, `/mfa/associate` without `client_id`), where the token alone
 * authenticates, as an access token would.
 */
export async function readMfaToken(
  token: string | undefined,
  expect: { issuer: string; clientId: string | undefined },
  nowMs = Date.now(),
  loaded?: LoadedKeyset,
): Promise<MfaTokenClaims> {
  const claims = await decrypt(token, loaded);
  if (!claims) throw malformed('mfa_token does not decrypt or has unexpected claims');
  if (claims.iss !== expect.issuer) throw malformed('mfa_token of another issuer');
  if (expect.clientId !== undefined && claims.client_id !== expect.clientId) throw malformed('mfa_token of another client');
  if (claims.exp <= Math.floor(nowMs / 1000)) {
    throw new OAuthError(403, 'expired_token', 'mfa_token is expired', { detail: `expired at ${claims.exp}` });
  }
  return claims;
}

async function decrypt(token: string | undefined, loaded: LoadedKeyset | undefined): Promise<MfaTokenClaims | undefined> {
  // Ours are a few hundred characters; a huge value is not worth decrypting.
  if (typeof token !== 'string' || token.length > 4096 || token.split('.').length !== 5) return undefined;
  const claims = await openToken(use, token, loaded);
  return wellFormed(claims) ? claims : undefined;
}

function wellFormed(value: unknown): value is MfaTokenClaims {
  if (!value || typeof value !== 'object') return false;
  const c = value as Record<string, unknown>;
  const strings = ['iss', 'sub', 'client_id', 'connection', 'jti'].every((name) => typeof c[name] === 'string');
  const numbers = ['auth_time', 'iat', 'exp'].every((name) => typeof c[name] === 'number');
  const scope = Array.isArray(c.scope) && c.scope.every((s) => typeof s === 'string');
  const optional = (name: string) => c[name] === undefined || typeof c[name] === 'string';
  return strings && numbers && scope && optional('audience') && optional('gty');
}
