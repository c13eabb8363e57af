import { passwordlessConnection } from '#shared/connections/passwordless';
import { invalidRequest, unauthorizedClient } from '#shared/errors';
import { passwordlessLogin } from '#shared/login/passwordless-login';
import { tokensAfterFirstFactor } from './first-factor.ts';
import type { Grant } from './grant.ts';

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

    // Scopes decided before the login, so a bad one does not spend the code (first-factor.ts).
    return tokensAfterFirstFactor(input, {
      connection: connection.name,
      gty: 'passwordless',
      logIn: (ip) => passwordlessLogin({ tenant, connection, identifier: username, code: otp, ip, clientId: auth.client.client_id, issuer: context.issuer }),
    });
  },
};
