import { methodNotAllowed, notFound } from '#shared/errors';
import { endpoint, type EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';
import { changePasswordEndpoint } from './change-password.ts';
import { signupEndpoint } from './signup.ts';

/**
 * Lambda for the database-connection endpoints (infra/routes.ts): POST /dbconnections/signup
 * and POST /dbconnections/change_password. Both are public (client_id only, no secret) and
 * callable from browsers (auth0.js, Lock): `OPTIONS` answers CORS preflights
 * (shared/http/cors.ts), and each endpoint checks the origin against the client it names.
 */
const endpoints = new Map<string, (request: EndpointRequest) => Promise<ApiResult>>([
  ['/dbconnections/signup', signupEndpoint],
  ['/dbconnections/change_password', changePasswordEndpoint],
]);

export const handler = endpoint(
  async (request) => {
    const target = endpoints.get(request.event.resource);
    if (!target) throw notFound('Not found');
    if (request.event.httpMethod !== 'POST') throw methodNotAllowed(`Method ${request.event.httpMethod} not allowed`, { headers: { Allow: 'POST' } });
    return target(request);
  },
  { rateLimit: { buckets: [] }, cors: true },
);
