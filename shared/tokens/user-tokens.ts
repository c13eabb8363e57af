import type { UserRecord } from '../store/users.ts';
import type { ClientRecord, TenantConfig } from '../tenant/model.ts';

/**
 * STUB (owned by the tokens helper): the tokens of a user login, as every user grant and
 * /authorize issue them (reference §15): an access token (JWT for an API audience, with
 * `<issuer>userinfo` added to `aud` when `openid` is granted; opaque and /userinfo-only when no
 * audience), an ID token when `openid` is granted, and a refresh token when `offline_access`
 * is granted and the API allows offline access.
 */
export interface UserTokenRequest {
  readonly tenant: TenantConfig;
  /** The request's issuer (RequestContext.issuer), with trailing slash. */
  readonly issuer: string;
  readonly client: ClientRecord;
  readonly user: UserRecord;
  /** Scopes already granted (see `grantUserScopes`). */
  readonly scopes: readonly string[];
  /** API identifier; undefined for the opaque /userinfo-only token. */
  readonly audience: string | undefined;
  readonly nonce?: string;
  /** The SSO session id (`sid` claim); absent for grants without a browser session. */
  readonly sid?: string;
  /** Epoch seconds of the authentication (`auth_time`): the session's, never "now" on reuse. */
  readonly authTime: number;
  /** Auth0's `gty` claim for the access token (`password`, `refresh_token`), when it has one. */
  readonly gty?: string;
  /** RFC 8705 certificate binding of the access token. */
  readonly x5tS256?: string;
  /** Which tokens to issue; `refreshToken` is further subject to offline_access. */
  readonly include: { readonly accessToken: boolean; readonly idToken: boolean; readonly refreshToken: boolean };
  /** For `c_hash` (hybrid flow, OIDC Core §3.3.2.11). */
  readonly code?: string;
  /** An existing refresh-token family to keep (refresh grant); otherwise a new one when issued. */
  readonly refreshFamily?: string;
}

export interface UserTokenSet {
  readonly access_token?: string;
  readonly id_token?: string;
  readonly refresh_token?: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
  /** The family of the refresh token issued, so a replayed code can revoke it. */
  readonly refreshFamilyId?: string;
}

export async function issueUserTokens(_request: UserTokenRequest): Promise<UserTokenSet> {
  throw new Error('issueUserTokens: not implemented yet');
}

/**
 * STUB: the scopes a user login is granted for `requested` scopes and `audience` (Auth0:
 * OIDC scopes pass; API scopes must be defined by the API; `offline_access` only when the
 * API allows offline access; no scope requested means `openid`). Throws OAuthError for an
 * unknown audience (403 access_denied "Service not enabled within domain: …").
 */
export function grantUserScopes(_tenant: TenantConfig, _requested: readonly string[] | undefined, _audience: string | undefined): string[] {
  throw new Error('grantUserScopes: not implemented yet');
}
