import { enabledDatabaseConnection } from '#shared/connections/database';
import { invalidRequest } from '#shared/errors';
import type { Grant } from './grant.ts';
import { passwordGrantTokens } from './password-login-grant.ts';

/**
 * `grant_type=http://auth0.com/oauth/grant-type/password-realm` (reference §3.4): `realm`
 * names the connection. Auth0 answers 400 invalid_request "the connection was not found" for
 * a connection it does not know and "the connection was disabled" for one not enabled for the
 * application. Only database connections exist here, so any other realm is not found.
 */
export const passwordRealm: Grant = {
  allowsPublicClients: true,
  async handle(input) {
    const { tenant } = input.request;
    const realm = input.params.realm;
    if (!realm) throw invalidRequest('Missing required parameter: realm');
    if (!enabledDatabaseConnection(tenant, realm, undefined)) throw invalidRequest('the connection was not found');
    const connection = enabledDatabaseConnection(tenant, realm, input.auth.client.client_id);
    if (!connection) throw invalidRequest('the connection was disabled');
    return passwordGrantTokens(input, connection);
  },
};
