import { isIP } from 'node:net';
import { assertNoMfaRequired } from '#shared/mfa/requirement';
import { requestedScopes } from '#shared/oauth/scopes';
import type { UserRecord } from '#shared/store/users';
import { grantUserScopes, issueUserTokens, userApi } from '#shared/tokens/user-tokens';
import type { GrantInput } from './grant.ts';

/**
 * What the grants that log a user in share once their own parameters are checked — the
 * password grants (reference §3.4) and the passwordless OTP grant (§3.7): the audience and
 * scopes are decided first, so a request for an unknown API or a malformed scope costs no
 * attempt and does not spend a code; then the login; then — unless the tenant's MFA policy
 * asks for a second factor first (`mfa_required`, §8.5; the mfa_token carries the scopes to
 * the MFA grants) — the user's tokens: ID token with `openid`, refresh token with
 * `offline_access` where the API allows it. The MFA API audience (`<issuer>mfa/`, §8) is
 * accepted here and always asks for the second factor.
 */
export interface FirstFactor {
  /** The connection the user logs in with (the mfa_token names it). */
  readonly connection: string;
  /** The login's grant kind, in the mfa_token; on the tokens only where Auth0 puts it. */
  readonly gty: 'password' | 'passwordless';
  /** The login itself (attack protection included), given the end user's IP (endUserIp). */
  readonly logIn: (ip: string) => Promise<UserRecord>;
}

/** Reference §15.1: Auth0 puts `gty` only on client-credentials, password and refresh tokens. */
const gtyOnTokens: ReadonlySet<FirstFactor['gty']> = new Set(['password']);

export async function tokensAfterFirstFactor(input: GrantInput, factor: FirstFactor): Promise<Record<string, unknown>> {
  const { request, params, auth } = input;
  const { tenant, context } = request;
  const audience = params.audience ?? params.resource ?? tenant.settings.default_audience;
  // With the issuer, so the MFA API's audience (a virtual resource server no tenant file
  // lists) is known here. Reference §3.4: a trusted client that asks for no scope gets all
  // of the API's scopes.
  const api = audience === undefined ? undefined : userApi(tenant, audience, context.issuer);
  const scopes = grantUserScopes(tenant, requestedScopes(params.scope) ?? (api && api.scopes.length > 0 ? api.scopes : undefined), audience, context.issuer);
  const user = await factor.logIn(endUserIp(input));
  const authTime = Math.floor(Date.now() / 1000);
  await assertNoMfaRequired({ tenant, issuer: context.issuer, client: auth.client, user, connection: factor.connection, scopes, audience, gty: factor.gty, authTime });
  const { refreshFamilyId: _family, ...tokens } = await issueUserTokens({
    tenant,
    issuer: context.issuer,
    client: auth.client,
    user,
    scopes,
    audience,
    ...(gtyOnTokens.has(factor.gty) ? { gty: factor.gty } : {}),
    authTime,
    include: { accessToken: true, idToken: true, refreshToken: true },
    certificate: auth.certificate,
  });
  return tokens;
}

/**
 * The IP attack protection counts (reference §1.3): `auth0-forwarded-for` only from a client
 * that authenticated itself (secret, assertion or certificate — never `none`) and is marked
 * `is_token_endpoint_ip_header_trusted`; from anyone else it is ignored, or a public client
 * could spread its failures over invented addresses. A trusted header that is not an IP
 * address is ignored too.
 */
export function endUserIp({ request, auth }: GrantInput): string {
  const forwarded = request.event.headers['auth0-forwarded-for']?.trim();
  const trusted = auth.method !== 'none' && auth.client.is_token_endpoint_ip_header_trusted;
  return trusted && forwarded && isIP(forwarded) !== 0 ? forwarded : request.context.clientIp;
}
