import { parseBody } from '#shared/http/body';
import { assertOriginAllowed } from '#shared/http/cors';
import type { EndpointRequest } from '#shared/http/endpoint';
import { limitByKey } from '#shared/http/keyed-rate-limit';
import { json, noStore } from '#shared/http/responses';
import type { ApiEvent, ApiResult } from '#shared/http/types';
import { getUser } from '#shared/store/users';
import { userinfoClaims } from '#shared/users/claims';
import { verifyUserinfoToken } from './access-token.ts';
import { invalidToken, malformedRequest, missingToken } from './bearer-errors.ts';

/**
 * `GET` and `POST /userinfo` (reference §4.5, OIDC Core §5.3): the current profile of the
 * token's user, filtered by the token's scopes, `sub` always. The token comes as
 * `Authorization: Bearer`, as the `access_token` form or JSON member of a POST, or — as Auth0
 * still accepts outside FAPI — the `access_token` query parameter (RFC 6750 §2.1–2.3).
 * Each user has a bucket of 10, refilled 5 a minute (Auth0 §16.3).
 */
const maxTokenLength = 8 * 1024;

export async function userinfoEndpoint(request: EndpointRequest): Promise<ApiResult> {
  const { event, tenant, context } = request;
  const token = presentedToken(event);
  const access = await verifyUserinfoToken(token, context);
  const client = access.clientId === undefined ? undefined : tenant.clients.get(access.clientId);
  if (client) assertOriginAllowed(event, client, request.tenant);
  // The user is read while the bucket is spent (one round trip); a 429 simply drops it.
  const [rateHeaders, user] = await Promise.all([limitByKey(tenant, 'userinfo', access.userId), getUser(access.userId)]);
  if (!user) throw invalidToken('Invalid token', 'the user no longer exists');
  return json(200, userinfoClaims(user, access.scopes), { ...noStore, ...rateHeaders });
}

/** The one access token of the request (RFC 6750 §2: a client MUST NOT use more than one method). */
function presentedToken(event: ApiEvent): string {
  const found: string[] = [];
  const authorization = event.headers['authorization'];
  if (authorization !== undefined) {
    const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
    if (!match) throw invalidToken('Invalid authorization header', 'not a Bearer authorization');
    found.push(match[1]!);
  }
  if (event.httpMethod === 'POST' && event.body) {
    const fromBody = parseBody(event).access_token;
    if (fromBody !== undefined) found.push(fromBody);
  }
  const fromQuery = event.queryStringParameters?.access_token;
  if (fromQuery) found.push(fromQuery);
  if (found.length === 0) throw missingToken();
  if (found.length > 1) throw malformedRequest('Only one method may be used to send the access token');
  const token = found[0]!;
  if (token.length > maxTokenLength) throw invalidToken('Invalid token', 'oversized');
  return token;
}
