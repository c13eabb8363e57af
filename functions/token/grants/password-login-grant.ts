import type { DatabaseConnection } from '#shared/connections/database';
import { invalidRequest } from '#shared/errors';
import { passwordLogin } from '#shared/login/password-login';
import { tokensAfterFirstFactor } from './first-factor.ts';
import type { GrantInput } from './grant.ts';

/**
 * What the `password` and `password-realm` grants share once they know the connection
 * (reference §3.4): check the credentials through the one password login (attack protection
 * included), then MFA or the user's tokens (first-factor.ts).
 */
export async function passwordGrantTokens(input: GrantInput, connection: DatabaseConnection): Promise<Record<string, unknown>> {
  const { request, params, auth } = input;
  const { tenant, context } = request;
  const username = params.username;
  const password = params.password;
  if (!username) throw invalidRequest('Missing required parameter: username');
  if (!password) throw invalidRequest('Missing required parameter: password');
  return tokensAfterFirstFactor(input, {
    connection: connection.record.name,
    gty: 'password',
    logIn: (ip) => passwordLogin({ tenant, connection, identifier: username, password, ip, clientId: auth.client.client_id, issuer: context.issuer }),
  });
}
