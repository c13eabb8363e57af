import { authenticateClient } from '#shared/client-auth/authenticate';
import { invalidRequest } from '#shared/errors';
import { parseBody } from '#shared/http/body';
import { assertOriginAllowed } from '#shared/http/cors';
import type { EndpointRequest } from '#shared/http/endpoint';
import { noStore } from '#shared/http/responses';
import type { ApiResult } from '#shared/http/types';
import { revokeRefreshToken } from '#shared/store/refresh-tokens';

/**
 * `POST /oauth/revoke` (reference §4.4, RFC 7009): the client authenticates as it is
 * registered (public clients send only `client_id`), and the family of the refresh token it
 * names is revoked — every token rotated from the same login. An unknown token, one already
 * revoked, or another client's, changes nothing and still answers 200 (RFC 7009 §2.2: the
 * client cannot tell, and cannot probe other clients' tokens). Access tokens cannot be
 * revoked (they are stateless), so those are "unknown" too.
 */
export async function revokeEndpoint(request: EndpointRequest): Promise<ApiResult> {
  const params = parseBody(request.event);
  const token = params.token;
  if (!token) throw invalidRequest('Missing required parameter: token');
  const auth = await authenticateClient(request, params, { allowPublic: true });
  assertOriginAllowed(request.event, auth.client, request.tenant);
  await revokeRefreshToken(token, auth.client.client_id);
  return { statusCode: 200, headers: { ...noStore }, body: '' };
}
