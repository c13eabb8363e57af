import { passwordlessConnection } from '#shared/connections/passwordless';
import { invalidRequest, unauthorizedClient } from '#shared/errors';
import { passwordlessLogin } from '#shared/login/passwordless-login';
import { assertNoMfaRequired } from '#shared/mfa/requirement';
import { requestedScopes } from '#shared/oauth/scopes';
import { grantUserScopes, issueUserTokens, userApi } from '#shared/tokens/user-tokens';
import type { Grant } from './grant.ts';
import { endUserIp } from './password-login-grant.ts';

export const passwordlessOtpGrantType = 'http://auth0.com/oauth/grant-type/passwordless/otp';

/**
 * `grant_type=http://auth0.com/oauth/grant-type/passwordless/otp` (reference §3.7): `realm`
 * names the passwordless connection (`email` / `sms`), `username` the email or phone number
 * the code went to, `otp` the code. Public (native) and confidential clients; single-page
 * applications may not use it (reference §3.7: Auth0 does not offer the grant to SPAs, whose
 * code would sit in a browser), whatever the tenant file lists. Realm errors as the
 * password-realm grant's. Then MFA when the tenant asks for it, then the user's tokens.
 */
export const passwordlessOtp: Grant = {
  allowsPublicClients: true,
  async handle(input) {
    const { request, params, auth } = input;
    const { tenant, context } = request;
    if (auth.client.app_type === 'spa') throw unauthorizedClient(`Grant type '${passwordlessOtpGrantType}' not allowed for the client.`, { detail: 'spa' });
    const realm = params.realm;
    if (!realm) throw invalidRequest('Missing required parameter: realm');
    if (!passwordlessConnection(tenant, realm, undefined)) throw invalidRequest('the connection was not found');
    const connection = passwordlessConnection(tenant, realm, auth.client.client_id);
    if (!connection) throw invalidRequest('the connection was disabled');
    const username = params.username;
    const otp = params.otp;
    if (!username) throw invalidRequest('Missing required parameter: username');
    if (!otp) throw invalidRequest('Missing required parameter: otp');

    // As the password grants (reference §3.4): before the login, so a request for an unknown
    // API or a malformed scope costs no attempt and does not spend the code.
    const audience = params.audience ?? params.resource ?? tenant.settings.default_audience;
    // With the issuer, so the MFA API's audience (a virtual resource server no tenant file
    // lists) is known here as in the password grants, and answers mfa_required below.
    const api = audience === undefined ? undefined : userApi(tenant, audience, context.issuer);
    const scopes = grantUserScopes(tenant, requestedScopes(params.scope) ?? (api && api.scopes.length > 0 ? api.scopes : undefined), audience, context.issuer);

    const user = await passwordlessLogin({
      tenant,
      connection,
      identifier: username,
      code: otp,
      ip: endUserIp(input),
      clientId: auth.client.client_id,
      issuer: context.issuer,
    });
    const authTime = Math.floor(Date.now() / 1000);
    await assertNoMfaRequired({ tenant, issuer: context.issuer, client: auth.client, user, connection: connection.name, scopes, audience, gty: 'passwordless', authTime });
    const { refreshFamilyId: _family, ...tokens } = await issueUserTokens({
      tenant,
      issuer: context.issuer,
      client: auth.client,
      user,
      scopes,
      audience,
      // Reference §15.1: Auth0 puts `gty` only on client-credentials, password and refresh tokens.
      authTime,
      include: { accessToken: true, idToken: true, refreshToken: true },
      certificate: auth.certificate,
    });
    return tokens;
  },
};
