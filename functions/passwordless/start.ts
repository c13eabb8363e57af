import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { authenticateClient, type AuthenticatedClient } from '#shared/client-auth/authenticate';
import { isPasswordlessConnection, passwordlessIdentifier, phonePattern, readPasswordlessConnection, type PasswordlessConnection } from '#shared/connections/passwordless';
import { OAuthError, unauthorizedClient } from '#shared/errors';
import { assertOriginAllowed } from '#shared/http/cors';
import type { EndpointRequest } from '#shared/http/endpoint';
import { json } from '#shared/http/responses';
import type { ApiResult, Params } from '#shared/http/types';
import { sendPasswordlessCode } from '#shared/login/passwordless-start';
import type { ClientRecord } from '#shared/tenant/model';
import { readAuthParams } from './auth-params.ts';
import { readStartBody } from './body.ts';

/**
 * POST /passwordless/start (reference §7.1): sends a code or a magic link by email or SMS.
 * Reads top to bottom as Auth0's checklist — the body's shape (`bad.*` codes, 400), the
 * client (public: client_id only; confidential: its secret or assertion, 401), the
 * passwordless grant (403), the connection, the identity, `send` and `authParams` — then one
 * shared send (shared/login/passwordless-start.ts, also used by the hosted page) and Auth0's
 * small success body, which echoes the identity and says nothing of whether it has an account.
 */
export const passwordlessGrant = 'http://auth0.com/oauth/grant-type/passwordless/otp';

const stringFields = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'connection', 'email', 'phone_number', 'send'] as const;
type StringField = (typeof stringFields)[number];
const allowed = new Set<string>([...stringFields, 'authParams']);
const sendValues = new Set(['code', 'link', 'link_ios', 'link_android']);

const bad = (what: string, description: string) => new OAuthError(400, `bad.${what}`, description);
/** Auth0's code for a field's errors: `bad.<field>` for the fields it names, else `bad.request`. */
const codeOf = (field: StringField) => (['client_id', 'connection', 'email', 'phone_number', 'send'].includes(field) ? field : 'request');
const typeName = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

export async function startEndpoint(request: EndpointRequest): Promise<ApiResult> {
  const { event, tenant, context } = request;
  const body = readStartBody(event);
  const unknown = Object.keys(body).filter((key) => !allowed.has(key));
  if (unknown.length > 0) throw bad('request', `the following properties are not allowed: ${unknown.map((k) => k.slice(0, 64)).slice(0, 10).join(', ')}`);
  const fields: Partial<Record<StringField, string>> = {};
  for (const key of stringFields) {
    const value = body[key];
    // Absent, null and "" are all "not given", as for the other JSON endpoints.
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw bad(codeOf(key), `Expected type string but found type ${typeName(value)} for ${key}`);
    fields[key] = value;
  }
  if (!fields.client_id) throw bad('client_id', 'Missing required property: client_id');
  if (!fields.connection) throw bad('connection', 'Missing required property: connection');
  const send = fields.send ?? 'link';
  if (!sendValues.has(send)) throw bad('send', 'send must be one of: code, link, link_ios, link_android');

  assertOriginAllowed(event, tenant.clients.get(fields.client_id), tenant);
  const auth = await authenticateClient(request, clientAuthParams(fields), { allowPublic: true });
  // Auth0: the Passwordless OTP grant must be enabled on the application (reference §7.1).
  if (!auth.client.grant_types.includes(passwordlessGrant)) throw unauthorizedClient(`Grant type '${passwordlessGrant}' not allowed for the client.`);

  const connection = connectionFor(request, fields.connection, auth.client);
  const identifier = identityOf(connection, fields);
  const authParams = readAuthParams(body.authParams, auth.client);

  const { headers } = await sendPasswordlessCode({
    tenant,
    issuer: context.issuer,
    client: auth.client,
    connection,
    identifier,
    // The mobile variants open the same link here (no universal-link apps to hand it to).
    send: send === 'code' ? 'code' : 'link',
    authParams,
    ip: endUserIp(request, auth),
  });
  // `_id` names this request, not a user: an id that differed for existing users would tell.
  const id = randomBytes(12).toString('hex');
  return json(
    200,
    connection.strategy === 'sms'
      ? { _id: id, phone_number: identifier, phone_verified: false, request_language: requestLanguage(event.headers) ?? null }
      : { _id: id, email: identifier, email_verified: false },
    headers,
  );
}

function clientAuthParams(fields: Partial<Record<StringField, string>>): Params {
  const params: Record<string, string> = Object.create(null);
  for (const key of ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const) {
    if (fields[key] !== undefined) params[key] = fields[key];
  }
  return params;
}

function connectionFor({ tenant }: EndpointRequest, name: string, client: ClientRecord): PasswordlessConnection {
  const record = tenant.connections.get(name);
  if (!record) throw bad('connection', 'Connection does not exist');
  if (!isPasswordlessConnection(record)) throw bad('connection', 'Invalid connection strategy. It must either be a passwordless connection');
  if (!record.enabled_clients.includes(client.client_id)) throw bad('connection', 'Connection is disabled');
  return readPasswordlessConnection(record);
}

function identityOf(connection: PasswordlessConnection, fields: Partial<Record<StringField, string>>): string {
  if (connection.strategy === 'sms') {
    if (!fields.phone_number) throw bad('phone_number', 'Missing required property: phone_number');
    const phone = passwordlessIdentifier(connection, fields.phone_number);
    if (!phone) throw bad('phone_number', `String does not match pattern: ${phonePattern.source}`);
    return phone;
  }
  if (!fields.email) throw bad('email', 'Missing required property: email');
  const email = passwordlessIdentifier(connection, fields.email);
  if (!email) throw bad('email', `error in email - email format validation failed: ${fields.email.slice(0, 320)}`);
  return email;
}

/**
 * The IP the rate limits count (reference §1.3): `auth0-forwarded-for` only from a client that
 * authenticated itself (never `none`) and is marked `is_token_endpoint_ip_header_trusted`, and
 * only when it is an IP address; otherwise the caller's own.
 */
export function endUserIp({ event, context }: EndpointRequest, auth: AuthenticatedClient): string {
  const forwarded = event.headers['auth0-forwarded-for']?.trim();
  const trusted = auth.method !== 'none' && auth.client.is_token_endpoint_ip_header_trusted;
  return trusted && forwarded && isIP(forwarded) !== 0 ? forwarded : context.clientIp;
}

/** `x-request-language` (Auth0's template language), else the first of `Accept-Language`. */
function requestLanguage(headers: EndpointRequest['event']['headers']): string | undefined {
  const explicit = headers['x-request-language']?.trim();
  const first = explicit || headers['accept-language']?.split(',', 1)[0]?.split(';', 1)[0]?.trim();
  return first && /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/.test(first) ? first : undefined;
}
