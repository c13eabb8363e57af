import { authenticateClient } from '#shared/client-auth/authenticate';
import { invalidRequest, unauthorizedClient, unsupportedGrantType } from '#shared/errors';
import { parseBody } from '#shared/http/body';
import { assertOriginAllowed } from '#shared/http/cors';
import type { EndpointRequest } from '#shared/http/endpoint';
import { json, noStore } from '#shared/http/responses';
import type { ApiResult } from '#shared/http/types';
import { authorizationCode } from './grants/authorization-code.ts';
import { clientCredentials } from './grants/client-credentials.ts';
import type { Grant } from './grants/grant.ts';
import { mfaOob } from './grants/mfa-oob.ts';
import { mfaOtp } from './grants/mfa-otp.ts';
import { mfaRecoveryCode } from './grants/mfa-recovery-code.ts';
import { password } from './grants/password.ts';
import { passwordlessOtp } from './grants/passwordless-otp.ts';
import { passwordRealm } from './grants/password-realm.ts';
import { refreshToken } from './grants/refresh-token.ts';

/** The grants this deployment speaks. A Map, so `__proto__` is just unknown. */
export const grants = new Map<string, Grant>([
  ['client_credentials', clientCredentials],
  ['authorization_code', authorizationCode],
  ['refresh_token', refreshToken],
  ['password', password],
  ['http://auth0.com/oauth/grant-type/password-realm', passwordRealm],
  ['http://auth0.com/oauth/grant-type/passwordless/otp', passwordlessOtp],
  ['http://auth0.com/oauth/grant-type/mfa-otp', mfaOtp],
  ['http://auth0.com/oauth/grant-type/mfa-oob', mfaOob],
  ['http://auth0.com/oauth/grant-type/mfa-recovery-code', mfaRecoveryCode],
]);

/**
 * `POST /oauth/token` (reference §3.1): parse, pick the grant, authenticate the client the
 * way it is registered, check the grant is enabled for it, and let the grant answer.
 */
export async function tokenEndpoint(request: EndpointRequest): Promise<ApiResult> {
  const params = parseBody(request.event);
  const grantType = params.grant_type;
  if (!grantType) throw invalidRequest('Missing required parameter: grant_type');
  const grant = grants.get(grantType);
  if (!grant) throw unsupportedGrantType(`Unsupported grant type: ${grantType}`);
  const auth = await authenticateClient(request, params, { allowPublic: grant.allowsPublicClients });
  assertOriginAllowed(request.event, auth.client, request.tenant);
  if (!auth.client.grant_types.includes(grantType)) {
    throw unauthorizedClient(`Grant type '${grantType}' not allowed for the client.`);
  }
  return json(200, await grant.handle({ request, params, auth }), noStore);
}
