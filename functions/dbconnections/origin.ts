import { accessDenied } from '#shared/errors';
import { isOriginAllowedForClient } from '#shared/http/cors';
import type { ApiEvent } from '#shared/http/types';
import type { TenantConfig } from '#shared/tenant/model';

/**
 * A browser request (it carries `Origin`) must come from an Allowed Origin or Web Origin of the
 * client it names or, naming none, of some client of the tenant: 403 `access_denied` otherwise,
 * before anything is created or mailed. A form post from another site is a "simple" request
 * that no preflight stops, so this check is what keeps such pages from using the endpoint.
 * Requests without `Origin` (servers, native apps) are not CORS requests and pass.
 */
export function assertOriginAllowed(event: ApiEvent, tenant: TenantConfig, clientId: string | undefined): void {
  const origin = event.headers['origin'];
  if (origin === undefined || origin === '') return;
  const client = clientId !== undefined ? tenant.clients.get(clientId) : undefined;
  const allowed = client ? isOriginAllowedForClient(origin, client) : [...tenant.clients.values()].some((c) => isOriginAllowedForClient(origin, c));
  if (!allowed) throw accessDenied('Origin not allowed', { detail: `origin ${origin}` });
}
