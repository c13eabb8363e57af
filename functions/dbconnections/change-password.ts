import { enabledDatabaseConnection } from '#shared/connections/database';
import { invalidRequest } from '#shared/errors';
import { parseBody } from '#shared/http/body';
import type { EndpointRequest } from '#shared/http/endpoint';
import { limitByKey } from '#shared/http/keyed-rate-limit';
import { text } from '#shared/http/responses';
import type { ApiResult } from '#shared/http/types';
import { requestPasswordReset } from '#shared/users/password-reset';
import { assertOriginAllowed } from '#shared/http/cors';

/**
 * POST /dbconnections/change_password (reference §6.2): mails a reset link and answers 200
 * with Auth0's sentence as plain text whether or not the user exists (no enumeration). Its own
 * bucket, keyed by IP and email (Auth0: burst 10, 1/min), reports `X-RateLimit-*`.
 * `organization` is accepted and not used (Portcullis has no organizations).
 */
export const answer = "We've just sent you an email to reset your password.";

const allowed = new Set(['client_id', 'email', 'connection', 'organization']);

export async function changePasswordEndpoint({ event, tenant, context }: EndpointRequest): Promise<ApiResult> {
  const params = parseBody(event);
  for (const key of Object.keys(params)) {
    if (!allowed.has(key)) throw invalidRequest(`Unknown parameter: ${key.slice(0, 64)}`);
  }
  const { client_id: clientId, email, connection: name } = params;
  if (clientId !== undefined && !tenant.clients.has(clientId)) throw invalidRequest(`Unknown client: ${clientId.slice(0, 64)}`);
  assertOriginAllowed(event, clientId === undefined ? undefined : tenant.clients.get(clientId), tenant);
  if (!email) throw invalidRequest('Missing required parameter: email');
  if (!name) throw invalidRequest('Missing required parameter: connection');
  if (email.length > 320) throw invalidRequest('Invalid email address');
  const connection = enabledDatabaseConnection(tenant, name, clientId);
  if (!connection) throw invalidRequest('connection not found', { detail: `connection ${name}` });

  const headers = await limitByKey(tenant, 'change_password', `${context.clientIp}\n${email.trim().toLowerCase()}`);
  await requestPasswordReset({ tenant, connection, email, issuer: context.issuer, ...(clientId ? { clientId } : {}) });
  return text(200, answer, headers);
}
