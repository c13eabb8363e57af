import { enabledDatabaseConnection } from '#shared/connections/database';
import { invalidRequest, OAuthError } from '#shared/errors';
import type { Grant } from './grant.ts';
import { passwordGrantTokens } from './password-login-grant.ts';

/**
 * `grant_type=password` (reference §3.4): the users of the tenant's Default Directory
 * (`default_directory`). Without one Auth0 answers `server_error` "Authorization server not
 * configured with default connection." — a tenant configuration fault, so a 500 as Auth0's
 * (observed), deliberately thrown as an OAuthError: the client gets Auth0's body.
 */
export const password: Grant = {
  allowsPublicClients: true,
  async handle(input) {
    const { tenant } = input.request;
    const name = tenant.settings.default_directory;
    const connection = name ? enabledDatabaseConnection(tenant, name, undefined) : undefined;
    if (!connection) throw new OAuthError(500, 'server_error', 'Authorization server not configured with default connection.');
    // As for password-realm: a connection not enabled for the application is refused.
    if (!connection.record.enabled_clients.includes(input.auth.client.client_id)) throw invalidRequest('the connection was disabled');
    return passwordGrantTokens(input, connection);
  },
};
