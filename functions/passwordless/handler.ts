import { methodNotAllowed, notFound } from '#shared/errors';
import { endpoint } from '#shared/http/endpoint';
import { startEndpoint } from './start.ts';

/**
 * Lambda for POST /passwordless/start (infra/routes.ts). Public and confidential clients call
 * it, browsers cross-origin (auth0.js `passwordlessStart`): `OPTIONS` answers CORS preflights
 * and the endpoint checks the origin against the client it names. Its own per-IP bucket
 * (`passwordless_start`) is drawn by the shared send, after validation.
 */
export const handler = endpoint(
  async (request) => {
    if (request.event.resource !== '/passwordless/start') throw notFound('Not found');
    if (request.event.httpMethod !== 'POST') throw methodNotAllowed(`Method ${request.event.httpMethod} not allowed`, { headers: { Allow: 'POST' } });
    return startEndpoint(request);
  },
  { rateLimit: { buckets: [] }, cors: true },
);
