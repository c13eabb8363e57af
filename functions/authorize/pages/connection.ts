import { databaseConnectionsFor, enabledDatabaseConnection, type DatabaseConnection } from '#shared/connections/database';
import { pageError, type PageContext } from './forms.ts';

/**
 * The database connection a login or signup page uses: the one the application named in
 * `/authorize?connection=`, else the first database connection enabled for it (Auth0's
 * Universal Login does the same). None is an error page: there is nothing to log in with.
 */
export function pageConnection(page: PageContext): DatabaseConnection {
  const { tenant } = page.request;
  const clientId = page.transaction.client_id;
  const named = page.transaction.connection;
  const connection = named ? enabledDatabaseConnection(tenant, named, clientId) : databaseConnectionsFor(tenant, clientId)[0];
  if (!connection) {
    throw pageError(400, 'invalid_request', named ? `The connection ${named} is not enabled for this application.` : 'No database connection is enabled for this application.');
  }
  return connection;
}
