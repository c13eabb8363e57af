import { enabledDatabaseConnection } from '#shared/connections/database';
import { isOAuthError } from '#shared/errors';
import type { EndpointRequest } from '#shared/http/endpoint';
import { json } from '#shared/http/responses';
import type { ApiResult } from '#shared/http/types';
import { badSignup } from '#shared/users/signup-error';
import { signupUser, type SignupInput } from '#shared/users/signup';
import { parseObjectBody } from '#shared/http/json-body';
import { assertOriginAllowed } from '#shared/http/cors';

/**
 * POST /dbconnections/signup (reference §6.1): a public endpoint (client_id only, no secret)
 * that creates a user in a database connection and answers 200 with `_id` (the bare id, no
 * `auth0|`), `email`, `email_verified` and, echoed, only the optional fields that were given.
 * Every refusal is a 400 in Auth0's legacy `{name, code, description, statusCode}` shape,
 * malformed bodies included; throttling answers 429 in the OAuth shape, as Auth0 does.
 */
const stringFields = ['client_id', 'connection', 'email', 'password', 'username', 'given_name', 'family_name', 'name', 'nickname', 'picture', 'phone_number'] as const;
type StringField = (typeof stringFields)[number];
const allowed = new Set<string>([...stringFields, 'user_metadata']);
const echoed = ['username', 'given_name', 'family_name', 'name', 'nickname', 'picture', 'phone_number'] as const;

export async function signupEndpoint({ event, tenant, context }: EndpointRequest): Promise<ApiResult> {
  const body = readBody(event);
  for (const key of Object.keys(body)) {
    if (!allowed.has(key)) throw badSignup('invalid_signup', `Unknown parameter: ${key.slice(0, 64)}`);
  }
  const fields: Partial<Record<StringField, string>> = {};
  for (const key of stringFields) {
    const value = body[key];
    // A member sent as null or "" counts as omitted, as parameters without a value do.
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw badSignup('invalid_signup', `${key} must be a string`);
    fields[key] = value;
  }
  const metadata = body.user_metadata;
  if (typeof metadata === 'string') throw badSignup('invalid_signup', 'user_metadata must be an object');

  const clientId = fields.client_id;
  if (clientId !== undefined && !tenant.clients.has(clientId)) throw badSignup('invalid_client', `Unknown client: ${clientId.slice(0, 64)}`);
  assertOriginAllowed(event, clientId === undefined ? undefined : tenant.clients.get(clientId), tenant);
  if (!fields.connection) throw badSignup('invalid_signup', 'Missing connection');
  if (!fields.email) throw badSignup('invalid_signup', 'Missing email');
  if (!fields.password) throw badSignup('invalid_signup', 'Missing password');
  // Auth0 treats a connection that is not a database one, or not enabled for the client, as unknown.
  const connection = enabledDatabaseConnection(tenant, fields.connection, clientId);
  if (!connection) throw badSignup('invalid_connection', 'connection not found', `connection ${fields.connection}`);

  const input: SignupInput = {
    tenant,
    connection,
    clientId,
    ip: context.clientIp,
    email: fields.email,
    password: fields.password,
    ...Object.fromEntries(echoed.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]])),
    ...(metadata !== undefined && metadata !== null ? { user_metadata: metadata as Record<string, unknown> } : {}),
  };
  const user = await signupUser(input);
  return json(200, {
    _id: user.user_id.replace(/^auth0\|/, ''),
    email: user.email,
    email_verified: user.email_verified,
    ...Object.fromEntries(echoed.filter((k) => user[k] !== undefined).map((k) => [k, user[k]])),
    ...(metadata !== undefined && metadata !== null ? { user_metadata: user.user_metadata } : {}),
  });
}

/** The body, with the OAuth-shaped 400s of malformed input re-dressed in the legacy shape. */
function readBody(event: EndpointRequest['event']): Record<string, unknown> {
  try {
    return parseObjectBody(event);
  } catch (error) {
    if (isOAuthError(error) && error.statusCode === 400) throw badSignup('invalid_signup', error.description, error.detail);
    throw error;
  }
}
