import { assertOriginAllowed } from '#shared/http/cors';
import type { EndpointRequest } from '#shared/http/endpoint';
import { json, noStore } from '#shared/http/responses';
import type { ApiResult } from '#shared/http/types';
import { listAuthenticators } from '#shared/store/authenticators';
import { authenticatorView, listOrder } from './authenticator-view.ts';
import { authenticateBearer } from './bearer-auth.ts';
import { insufficientScope } from './errors.ts';

/**
 * `GET /mfa/authenticators` (reference §8.3): the bearer's user's authenticators, the
 * unconfirmed ones included with `active: false`, as Auth0 lists them. An `mfa_token` is
 * enough; an MFA-API access token needs `read:authenticators`.
 */
export async function listAuthenticatorsEndpoint(request: EndpointRequest): Promise<ApiResult> {
  const caller = await authenticateBearer(request);
  if (caller.kind === 'access_token' && !caller.scopes.includes('read:authenticators')) throw insufficientScope('read:authenticators');
  const client = caller.clientId === undefined ? undefined : request.tenant.clients.get(caller.clientId);
  assertOriginAllowed(request.event, client, request.tenant);
  const authenticators = await listAuthenticators(caller.user.user_id);
  return json(200, authenticators.sort(listOrder).map(authenticatorView), noStore);
}
