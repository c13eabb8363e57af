import { notFound } from '#shared/errors';
import { endpoint } from '#shared/http/endpoint';
import { revokeEndpoint } from './revoke.ts';
import { tokenEndpoint } from './token-endpoint.ts';

/** Lambda for the token endpoint group (infra/routes.ts): POST /oauth/token and POST /oauth/revoke. */
export const handler = endpoint(
  async (request) => {
    if (request.event.resource === '/oauth/token') return tokenEndpoint(request);
    if (request.event.resource === '/oauth/revoke') return revokeEndpoint(request);
    throw notFound('Not found');
  },
  // Browser SDKs (auth0-spa-js) call both cross-origin (reference §1.2).
  { rateLimit: { buckets: [] }, cors: true },
);
