import { tenantDisplayName } from '#shared/html/page';
import { invalidRequest } from '#shared/errors';
import { withCookies } from '#shared/http/cookies';
import type { EndpointRequest } from '#shared/http/endpoint';
import { noStore } from '#shared/http/responses';
import type { ApiResult } from '#shared/http/types';
import { currentSession } from '#shared/store/sessions';
import { logOut } from './end-session.ts';
import { allowsReturnTo } from './logout-urls.ts';
import { loggedOutPage } from './pages.ts';
import { queryParams } from './params.ts';

/**
 * `GET /v2/logout` (reference §5.1), Auth0's own logout: ends the SSO session, then
 *
 * 1. `returnTo` with `client_id` → it must be one of the application's Allowed Logout URLs;
 * 2. `returnTo` without `client_id` → one of the tenant's;
 * 3. `client_id` alone → the application's first Allowed Logout URL;
 * 4. neither → a "You have been logged out" page.
 *
 * Every check runs before the session is touched: a refused request changes nothing.
 * `federated` (value-less, as auth0.js sends it) is accepted; there are no upstream identity
 * providers to log out of yet. Like Auth0's, this endpoint logs out on a plain GET.
 */
export async function v2Logout(request: EndpointRequest): Promise<ApiResult> {
  const { event, tenant } = request;
  const params = queryParams(event);
  const clientId = params.get('client_id');
  const returnTo = params.get('returnTo');

  const client = clientId === undefined ? undefined : tenant.clients.get(clientId);
  if (clientId !== undefined && !client) throw invalidRequest(`Unknown client: ${clientId}`);
  const allowed = client ? client.allowed_logout_urls : (tenant.settings.allowed_logout_urls ?? []);
  let destination: string | undefined;
  if (returnTo !== undefined) {
    if (!allowsReturnTo(allowed, returnTo)) {
      throw invalidRequest(
        `The "returnTo" querystring parameter "${returnTo}" is not defined as a valid URL in "Allowed Logout URLs". ` +
          `To add a new URL, add it to the allowed_logout_urls of ${client ? `the application "${client.name}"` : 'the tenant'} in the tenant file.`,
      );
    }
    // Serialized by the URL parser: never a raw parameter in a header.
    destination = new URL(returnTo).href;
  } else if (client) {
    destination = client.allowed_logout_urls[0];
  }

  const cookies = await logOut(request, { session: await currentSession(event, tenant) });
  const result = destination
    ? { statusCode: 302, headers: { Location: destination, ...noStore }, body: '' }
    : loggedOutPage(tenantDisplayName(tenant));
  return withCookies(result, cookies);
}
