import { accessDenied } from '../errors.ts';
import type { ParsedCertificate } from '../client-auth/certificate.ts';
import { isMfaAudience, mfaResourceServer } from '../mfa/mfa-api.ts';
import { createRefreshFamily } from '../store/refresh-tokens.ts';
import type { UserRecord } from '../store/users.ts';
import type { ClientRecord, ResourceServerRecord, TenantConfig } from '../tenant/model.ts';
import { issueAccessToken } from './access-token.ts';
import { issueIdToken } from './id-token.ts';
import { encryptOpaqueToken, implicitOpaqueTokenLifetime, opaqueTokenLifetime } from './opaque-access-token.ts';
import { userTokenBinding } from './proof-of-possession.ts';

/**
 * The tokens of a user login, as every user grant and /authorize issue them (reference §15):
 * an access token (JWT for an API audience, with `<issuer>userinfo` added to `aud` when
 * `openid` is granted; opaque and /userinfo-only when no audience), an ID token when `openid`
 * is granted, and a refresh token when `offline_access` is granted and the API allows offline
 * access (a login without audience may have one: Auth0 allows it for the /userinfo audience).
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
  /**
   * The client certificate of the request (mTLS), if any: the access token is bound to it
   * (RFC 8705 §3) as the client's and the API's proof-of-possession policies say
   * (userTokenBinding). Required, so no caller can forget the policy: `undefined` says "none".
   */
  readonly certificate: ParsedCertificate | undefined;
  /** Which tokens to issue; `refreshToken` is further subject to offline_access. */
  readonly include: { readonly accessToken: boolean; readonly idToken: boolean; readonly refreshToken: boolean };
  /** For `c_hash` (hybrid flow, OIDC Core §3.3.2.11). */
  readonly code?: string;
  /**
   * The ID token travels with the access token in one authorization response (/authorize
   * with `id_token token` or `code id_token token`): it then carries `at_hash` (OIDC Core
   * §3.2.2.10, §3.3.2.11). Token-endpoint responses leave it out, as Auth0's do.
   */
  readonly atHash?: boolean;
  /** The implicit flow: an opaque /userinfo token lives 7,200 s instead of 86,400 s (reference §2.1). */
  readonly implicit?: boolean;
  /** Epoch milliseconds to issue at (tests); defaults to the clock. */
  readonly now?: number;
  /**
   * Authentication methods (OIDC Core §2 `amr`): `["mfa"]` after a second factor, carried by
   * the ID and access tokens (and kept by the refresh family). Owner: helper E.
   */
  readonly amr?: readonly string[];
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

export async function issueUserTokens(request: UserTokenRequest): Promise<UserTokenSet> {
  const { tenant, issuer, client, user, scopes, audience, include } = request;
  const now = request.now ?? Date.now();
  const api = audience === undefined ? undefined : resourceServer(tenant, audience, issuer);
  const openid = scopes.includes('openid');
  // Before anything is issued: a refused binding must not leave a refresh family behind.
  const x5tS256 = userTokenBinding(client, api, request.certificate);

  // The three are independent (bar at_hash, which needs the access token first), so they run
  // concurrently: RSA signatures go to libuv's thread pool and the refresh family's write
  // to DynamoDB meanwhile, instead of one after the other.
  const accessToken = async () => {
    if (!include.accessToken) return undefined;
    return api
      ? issueAccessToken({
          issuer,
          subject: user.user_id,
          clientId: client.client_id,
          api,
          scopes,
          extraAudiences: openid ? [`${issuer}userinfo`] : [],
          gty: request.gty,
          x5tS256,
          amr: request.amr,
          now,
        })
      : opaqueAccessToken(request, now, x5tS256);
  };
  const idTokenFor = async (accessTokenValue: string | undefined) =>
    include.idToken && openid
      ? issueIdToken({
          issuer,
          client,
          user,
          scopes,
          authTime: request.authTime,
          nonce: request.nonce,
          sid: request.sid,
          accessToken: request.atHash ? accessTokenValue : undefined,
          code: request.code,
          amr: request.amr,
          now,
        })
      : undefined;
  const refreshPromise = include.refreshToken && offlineAllowed(scopes, api) ? refreshToken(request, now) : Promise.resolve(undefined);
  const signed = request.atHash
    ? accessToken().then(async (access) => [access, await idTokenFor(access?.token)] as const)
    : Promise.all([accessToken(), idTokenFor(undefined)]);
  // Both awaited together: neither can reject unobserved while the other is awaited.
  const [[access, idToken], refresh] = await Promise.all([signed, refreshPromise]);

  return {
    ...(access ? { access_token: access.token } : {}),
    ...(idToken ? { id_token: idToken } : {}),
    ...(refresh ? { refresh_token: refresh.token, refreshFamilyId: refresh.familyId } : {}),
    token_type: 'Bearer',
    expires_in: access?.expiresIn ?? client.jwt_configuration.lifetime_in_seconds,
    scope: scopes.join(' '),
  };
}

async function opaqueAccessToken(request: UserTokenRequest, now: number, x5tS256: string | undefined): Promise<{ token: string; expiresIn: number }> {
  const iat = Math.floor(now / 1000);
  const expiresIn = request.implicit ? implicitOpaqueTokenLifetime : opaqueTokenLifetime;
  const token = await encryptOpaqueToken({
    iss: request.issuer,
    sub: request.user.user_id,
    client_id: request.client.client_id,
    scope: request.scopes.join(' '),
    iat,
    exp: iat + expiresIn,
    ...(x5tS256 ? { cnf: { 'x5t#S256': x5tS256 } } : {}),
  });
  return { token, expiresIn };
}

async function refreshToken(request: UserTokenRequest, now: number): Promise<{ token: string; familyId: string } | undefined> {
  const nowSeconds = Math.floor(now / 1000);
  return createRefreshFamily({
    clientId: request.client.client_id,
    userId: request.user.user_id,
    audience: request.audience,
    scopes: request.scopes,
    sid: request.sid,
    authTime: request.authTime,
    amr: request.amr,
    settings: request.client.refresh_token,
    now: nowSeconds,
  });
}

function offlineAllowed(scopes: readonly string[], api: ResourceServerRecord | undefined): boolean {
  return scopes.includes('offline_access') && (api === undefined || api.allow_offline_access);
}

function resourceServer(tenant: TenantConfig, audience: string, issuer: string | undefined): ResourceServerRecord {
  const api = userApi(tenant, audience, issuer);
  if (!api) throw accessDenied(`Service not enabled within domain: ${audience}`);
  return api;
}

/**
 * The API a user token for `audience` is for: the tenant's, or — given the request's issuer —
 * the MFA API every tenant has (`<issuer>mfa/`, reference §8; shared/mfa/mfa-api.ts).
 */
export function userApi(tenant: TenantConfig, audience: string, issuer: string | undefined): ResourceServerRecord | undefined {
  if (issuer !== undefined && isMfaAudience(audience, issuer)) return mfaResourceServer(issuer);
  return tenant.resourceServers.get(audience);
}

/** The scopes OIDC defines (OIDC Core §5.4, §11); they pass whatever the audience. */
const oidcScopes = new Set(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);

/**
 * The scopes a user login is granted for `requested` scopes and `audience` (Auth0: OIDC
 * scopes pass; API scopes must be defined by the API, others are dropped silently, as Auth0
 * does for user flows; `offline_access` only when the API allows offline access; no scope
 * requested means `openid`). Throws OAuthError for an unknown audience (403 access_denied
 * "Service not enabled within domain: …"). The caller applies the tenant's default audience.
 * `issuer` (the request's) admits the MFA API audience; callers that cannot ask for a second
 * factor leave it out, and that audience stays unknown to them.
 */
export function grantUserScopes(tenant: TenantConfig, requested: readonly string[] | undefined, audience: string | undefined, issuer?: string): string[] {
  const api = audience === undefined ? undefined : resourceServer(tenant, audience, issuer);
  const wanted = requested && requested.length > 0 ? requested : ['openid'];
  const granted: string[] = [];
  for (const scope of wanted) {
    if (granted.includes(scope)) continue;
    if (scope === 'offline_access' && api && !api.allow_offline_access) continue;
    if (oidcScopes.has(scope) || api?.scopes.includes(scope)) granted.push(scope);
  }
  return granted;
}
