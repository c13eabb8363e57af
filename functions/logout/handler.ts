import { notFound } from '#shared/errors';
import { endpoint } from '#shared/http/endpoint';
import { oidcLogout } from './oidc-logout.ts';
import { v2Logout } from './v2-logout.ts';

/**
 * Lambda for logout (infra/routes.ts): Auth0's `GET /v2/logout` and OpenID Connect's
 * `GET|POST /oidc/logout`, both ending the SSO session and sending back-channel logout.
 * A browser is on the other end, so errors are HTML error pages (a 4xx, never a redirect to
 * an unverified URL).
 */
export const handler = endpoint(
  async (request) => {
    const { resource, httpMethod } = request.event;
    if (resource === '/v2/logout' && httpMethod === 'GET') return v2Logout(request);
    if (resource === '/oidc/logout' && (httpMethod === 'GET' || httpMethod === 'POST')) return oidcLogout(request);
    throw notFound('Not found');
  },
  { rateLimit: { buckets: [] }, errorFormat: 'html' },
);
