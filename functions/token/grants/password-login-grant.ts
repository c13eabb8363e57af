import { isIP } from 'node:net';
import type { DatabaseConnection } from '#shared/connections/database';
import { invalidRequest } from '#shared/errors';
import { passwordLogin } from '#shared/login/password-login';
import { assertNoMfaRequired } from '#shared/mfa/requirement';
import { grantUserScopes, issueUserTokens, userApi } from '#shared/tokens/user-tokens';
import { requestedScopes } from '#shared/oauth/scopes';
import type { GrantInput } from './grant.ts';

/**
 * What the `password` and `password-realm` grants share once they know the connection
 * (reference §3.4): check the credentials through the one password login (attack protection
 * included), then — unless the tenant's MFA policy asks for a second factor first
 * (`mfa_required`, reference §8.5) — issue the user's tokens: ID token with `openid`, refresh
 * token with `offline_access` where the API allows it. The MFA API audience (`<issuer>mfa/`,
 * §8) is accepted here and always asks for the second factor.
 */
export async function passwordGrantTokens({ request, params, auth }: GrantInput, connection: DatabaseConnection): Promise<Record<string, unknown>> {
  const { tenant, context } = request;
  const username = params.username;
  const password = params.password;
  if (!username) throw invalidRequest('Missing required parameter: username');
  if (!password) throw invalidRequest('Missing required parameter: password');
  const audience = params.audience ?? params.resource ?? tenant.settings.default_audience;
  // Before the login, so a request for an unknown API or a malformed scope costs no attempt.
  // Reference §3.4: a trusted client that asks for no scope gets all of the API's scopes.
  const api = audience === undefined ? undefined : userApi(tenant, audience, context.issuer);
  const scopes = grantUserScopes(tenant, requestedScopes(params.scope) ?? (api && api.scopes.length > 0 ? api.scopes : undefined), audience, context.issuer);
  const user = await passwordLogin({
    tenant,
    connection,
    identifier: username,
    password,
    ip: endUserIp({ request, params, auth }),
    clientId: auth.client.client_id,
    issuer: context.issuer,
  });
  const authTime = Math.floor(Date.now() / 1000);
  // After the scopes are decided: the mfa_token carries them to the MFA grants.
  await assertNoMfaRequired({
    tenant,
    issuer: context.issuer,
    client: auth.client,
    user,
    connection: connection.record.name,
    scopes,
    audience,
    gty: 'password',
    authTime,
  });
  const { refreshFamilyId: _family, ...tokens } = await issueUserTokens({
    tenant,
    issuer: context.issuer,
    client: auth.client,
    user,
    scopes,
    audience,
    gty: 'password',
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
