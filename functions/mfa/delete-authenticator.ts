import { notFound } from '#shared/errors';
import { assertOriginAllowed } from '#shared/http/cors';
import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';
import { deleteAuthenticator } from '#shared/store/authenticators';
import { authenticateBearer } from './bearer-auth.ts';
import { insufficientScope, invalidToken } from './errors.ts';

/**
 * `DELETE /mfa/authenticators/{authenticator_id}` (reference §8.4): only an MFA-API access
 * token with `remove:authenticators` may delete (an `mfa_token` is not enough: 401); 204, or
 * 404 for an id the user does not have. API Gateway's REST API hands the path parameter over
 * still percent-encoded (`totp%7Cdev_…`), the local server decoded; ids never contain `%`, so
 * one decode of an encoded value is exact.
 */
const idShape = /^(?:totp|sms|email|recovery-code)\|dev_[A-Za-z0-9_-]{1,64}$/;

export async function deleteAuthenticatorEndpoint(request: EndpointRequest): Promise<ApiResult> {
  const caller = await authenticateBearer(request);
  if (caller.kind === 'mfa_token') throw invalidToken('An mfa_token cannot remove authenticators: use an access token for the MFA API with remove:authenticators');
  if (!caller.scopes.includes('remove:authenticators')) throw insufficientScope('remove:authenticators');
  const client = caller.clientId === undefined ? undefined : request.tenant.clients.get(caller.clientId);
  assertOriginAllowed(request.event, client, request.tenant);
  const id = authenticatorId(request.event.pathParameters?.authenticator_id);
  if (id === undefined || !(await deleteAuthenticator(caller.user.user_id, id))) throw notFound('Authenticator not found');
  return { statusCode: 204, headers: { 'Cache-Control': 'no-store' }, body: '' };
}

function authenticatorId(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let id = raw;
  if (raw.includes('%')) {
    try {
      id = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return idShape.test(id) ? id : undefined;
}
