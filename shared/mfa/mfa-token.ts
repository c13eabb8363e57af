/**
 * STUB (owner: helper C). The `mfa_token` of an `mfa_required` answer (reference §8.5): a
 * stateless, encrypted token (JWE `dir`/A256GCM keyed from the keyset, as
 * shared/tokens/opaque-access-token.ts) that lives 10 minutes and says whose first factor
 * passed and what the grant asked for, so the MFA grants can issue exactly those tokens.
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

export async function issueMfaToken(_claims: Omit<MfaTokenClaims, 'iat' | 'exp' | 'jti'>, _nowMs?: number): Promise<string> {
  throw new Error('TODO(helper C): issueMfaToken');
}

/**
 * The claims of a live mfa_token issued by this issuer to this client. Throws OAuthError:
 * 403 `invalid_grant` "Malformed mfa_token" (anything that does not decrypt, another client's,
 * another issuer's), 403 `expired_token` "mfa_token is expired".
 * `clientId` undefined (added by helper D): any client's — the MFA API's bearer uses
 * (`GET /mfa/authenticators`, `POST /mfa/associate` without `client_id`), where the token
 * alone authenticates, as an access token would.
 */
export async function readMfaToken(_token: string | undefined, _expect: { issuer: string; clientId: string | undefined }, _nowMs?: number): Promise<MfaTokenClaims> {
  throw new Error('TODO(helper C): readMfaToken');
}
