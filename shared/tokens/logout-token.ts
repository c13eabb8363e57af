import { randomUUID } from 'node:crypto';
import type { SigningAlg } from '../tenant/model.ts';
import { signJwt } from './signer.ts';

/**
 * The Logout Token of OpenID Connect Back-Channel Logout 1.0 §2.4, as Auth0 sends it
 * (reference §5.5): `iss`, `sub`, `aud` (the client id), `iat`, `exp`, `jti`, `sid` and the
 * back-channel `events` member, typed `logout+jwt` (§2.4: explicit typing, so it can never be
 * mistaken for an ID token). It MUST NOT carry a `nonce` (§2.4), so that an ID token can never
 * be replayed as a Logout Token either.
 */
export const backchannelLogoutEvent = 'http://schemas.openid.net/event/backchannel-logout';

/** How long a Logout Token is valid: it is delivered at once, so two minutes cover clock skew. */
export const logoutTokenLifetimeSeconds = 120;

export interface LogoutTokenInput {
  /** The issuer of the ID tokens the client received (with trailing slash). */
  readonly issuer: string;
  readonly clientId: string;
  /** The user's id (`auth0|…`), the `sub` of its ID tokens. */
  readonly sub: string;
  /** The SSO session id, the `sid` of its ID tokens. */
  readonly sid: string;
}

export interface LogoutTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  readonly sid: string;
  readonly events: { readonly [backchannelLogoutEvent]: Record<string, never> };
}

export function logoutTokenClaims(input: LogoutTokenInput, now = Date.now()): LogoutTokenClaims {
  const iat = Math.floor(now / 1000);
  return {
    iss: input.issuer,
    sub: input.sub,
    aud: input.clientId,
    iat,
    exp: iat + logoutTokenLifetimeSeconds,
    jti: randomUUID(),
    sid: input.sid,
    events: { [backchannelLogoutEvent]: {} },
  };
}

/** Signs a Logout Token with the algorithm the client receives its ID tokens in (§2.4). */
export async function issueLogoutToken(input: LogoutTokenInput, alg: SigningAlg, now = Date.now()): Promise<string> {
  return signJwt({ ...logoutTokenClaims(input, now) }, alg, 'logout+jwt');
}
