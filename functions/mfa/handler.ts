import { methodNotAllowed, notFound } from '#shared/errors';
import { endpoint, type EndpointRequest } from '#shared/http/endpoint';
import type { ApiEvent, ApiResult } from '#shared/http/types';
import { associateEndpoint } from './associate.ts';
import { challengeEndpoint } from './challenge.ts';
import { deleteAuthenticatorEndpoint } from './delete-authenticator.ts';
import { listAuthenticatorsEndpoint } from './list-authenticators.ts';

/**
 * Lambda for the MFA API (infra/routes.ts, reference §8): POST /mfa/associate,
 * POST /mfa/challenge, GET /mfa/authenticators, DELETE /mfa/authenticators/{authenticator_id}.
 * Browser apps call it cross-origin (auth0.js, SPAs managing their factors): `OPTIONS`
 * answers CORS preflights (shared/http/cors.ts) and each endpoint checks the origin against
 * the client it serves.
 */
type Target = (request: EndpointRequest) => Promise<ApiResult>;

const endpoints = new Map<string, ReadonlyMap<string, Target>>([
  ['/mfa/associate', new Map([['POST', associateEndpoint]])],
  ['/mfa/challenge', new Map([['POST', challengeEndpoint]])],
  ['/mfa/authenticators', new Map([['GET', listAuthenticatorsEndpoint]])],
  ['/mfa/authenticators/{authenticator_id}', new Map([['DELETE', deleteAuthenticatorEndpoint]])],
]);

const api = endpoint(
  async (request) => {
    const methods = endpoints.get(request.event.resource);
    if (!methods) throw notFound('Not found');
    const target = methods.get(request.event.httpMethod);
    if (!target) throw methodNotAllowed(`Method ${request.event.httpMethod} not allowed`, { headers: { Allow: [...methods.keys()].join(', ') } });
    return target(request);
  },
  { rateLimit: { buckets: [] }, cors: true },
);

/**
 * The shared preflight (shared/http/cors.ts) names `GET, POST, OPTIONS`, the methods of every
 * other CORS endpoint; a browser deleting an authenticator must also be told DELETE is
 * allowed, or it never sends the request.
 */
const deletePath = '/mfa/authenticators/{authenticator_id}';

export const handler = async (event: ApiEvent, context: Parameters<typeof api>[1]): Promise<ApiResult> => {
  const result = await api(event, context);
  if (event.httpMethod !== 'OPTIONS' || event.resource !== deletePath || !result.headers) return result;
  const headers = { ...result.headers };
  if ('Access-Control-Allow-Methods' in headers) headers['Access-Control-Allow-Methods'] = 'DELETE, OPTIONS';
  if ('Allow' in headers) headers['Allow'] = 'DELETE, OPTIONS';
  return { ...result, headers };
};
