import { runtimeConfig } from '../config.ts';
import { invalidClient, invalidRequest } from '../errors.ts';
import type { EndpointRequest } from '../http/endpoint.ts';
import type { Params } from '../http/types.ts';
import type { ClientRecord } from '../tenant/model.ts';
import { parseBasicAuthorization } from './basic-credentials.ts';
import { canonicalDn, parseCertificate, type ParsedCertificate } from './certificate.ts';
import { checkClientSecret } from './client-secret.ts';
import { ASSERTION_TYPE, assertionSubject, verifyClientAssertion } from './private-key-jwt.ts';

export type ClientAuthMethod =
  | 'none'
  | 'client_secret_post'
  | 'client_secret_basic'
  | 'private_key_jwt'
  | 'tls_client_auth'
  | 'self_signed_tls_client_auth';

export interface AuthenticatedClient {
  readonly client: ClientRecord;
  readonly method: ClientAuthMethod;
  /** The certificate of the TLS connection (gateway or trusted edge), when one was presented. */
  readonly certificate: ParsedCertificate | undefined;
}

export interface AuthenticateOptions {
  /** Whether a public client (`none`) may use this endpoint or grant. */
  readonly allowPublic: boolean;
}

const basicChallenge = { 'WWW-Authenticate': 'Basic realm="token"' };

/**
 * Client authentication for every endpoint that authenticates clients (reference §1.3).
 * A client must use the method it is registered for: presenting another one — even a
 * "stronger" one — fails, as in Auth0. At most one method per request (RFC 6749 §2.3).
 */
export async function authenticateClient(
  request: EndpointRequest,
  params: Params,
  options: AuthenticateOptions,
): Promise<AuthenticatedClient> {
  const basic = parseBasicAuthorization(request.event.headers['authorization']);
  const assertion = params.client_assertion;
  const presented = [basic, params.client_secret, assertion].filter((x) => x !== undefined).length;
  if (presented > 1) throw invalidRequest('Only one client authentication method may be used per request');
  if (assertion !== undefined && params.client_assertion_type !== ASSERTION_TYPE) {
    throw invalidRequest(`client_assertion_type must be ${ASSERTION_TYPE}`);
  }

  const clientId = basic?.clientId ?? params.client_id ?? (assertion ? assertionSubject(assertion) : undefined);
  if (!clientId) throw invalidClient('Missing client_id', { headers: basic ? basicChallenge : {} });
  if (params.client_id !== undefined && params.client_id !== clientId) {
    throw invalidRequest('client_id does not match the client authentication');
  }
  const client = request.tenant.clients.get(clientId);
  const failed = (detail: string) =>
    invalidClient('Client authentication failed', { detail, headers: basic ? basicChallenge : {} });
  if (!client) throw failed(`unknown client ${clientId}`);

  const certificate = request.context.certificate ? parseCertificate(request.context.certificate) : undefined;
  const methods = registeredMethods(client);
  const use = (method: ClientAuthMethod) => {
    if (!methods.has(method)) throw failed(`method ${method} not registered for ${clientId}`);
    return { client, method, certificate };
  };

  if (basic) {
    const result = use('client_secret_basic');
    await checkSecret(client, basic.clientSecret, failed);
    return result;
  }
  if (params.client_secret !== undefined) {
    const result = use('client_secret_post');
    await checkSecret(client, params.client_secret, failed);
    return result;
  }
  if (assertion !== undefined) {
    const result = use('private_key_jwt');
    await verifyClientAssertion(assertion, client, assertionAudiences(request.context.issuer));
    return result;
  }
  if (methods.has('tls_client_auth') || methods.has('self_signed_tls_client_auth')) {
    if (!certificate) throw failed('no client certificate presented');
    return { client, method: certificateMethod(client, certificate, failed), certificate };
  }
  if (methods.has('none')) {
    if (!options.allowPublic) throw failed('public client not allowed here');
    return { client, method: 'none', certificate };
  }
  throw failed('no client authentication presented');
}

/**
 * Auth0 accepts the tenant's domain or the custom domain the request came through as `aud`
 * (reference §1.3); RFC 7523 §3 also allows the token endpoint URL.
 */
function assertionAudiences(requestIssuer: string): string[] {
  const issuers = [...new Set([requestIssuer, runtimeConfig().issuer])];
  return issuers.flatMap((issuer) => [issuer, `${issuer}oauth/token`]);
}

function registeredMethods(client: ClientRecord): Set<ClientAuthMethod> {
  const methods = new Set<ClientAuthMethod>();
  if (client.token_endpoint_auth_method) methods.add(client.token_endpoint_auth_method);
  const cam = client.client_authentication_methods;
  if (cam?.private_key_jwt?.credentials.length) methods.add('private_key_jwt');
  if (cam?.tls_client_auth?.credentials.length) methods.add('tls_client_auth');
  if (cam?.self_signed_tls_client_auth?.credentials.length) methods.add('self_signed_tls_client_auth');
  return methods;
}

async function checkSecret(client: ClientRecord, secret: string, failed: (detail: string) => Error): Promise<void> {
  if (!client.client_secret_hash) throw failed('client has no secret');
  if (!(await checkClientSecret(client.client_id, secret, client.client_secret_hash))) throw failed('wrong client secret');
}

/**
 * mTLS client authentication (RFC 8705 §2). A CA-verified certificate — API Gateway's
 * handshake, or an edge that says `SUCCESS` — authenticates by subject DN
 * (`tls_client_auth`); a certificate the edge could not chain (`FAILED`) only by matching a
 * registered self-signed certificate. Certificates API Gateway accepted may also match a
 * registered self-signed one, since those are added to its truststore (aws-notes §0.4).
 */
function certificateMethod(client: ClientRecord, cert: ParsedCertificate, failed: (detail: string) => Error): ClientAuthMethod {
  const cam = client.client_authentication_methods;
  if (cert.presented.caVerified) {
    const dnMatches = cam?.tls_client_auth?.credentials.some((c) => canonicalDn(c.subject_dn) === cert.subjectDn);
    if (dnMatches) return 'tls_client_auth';
  }
  if (!cert.presented.caVerified || cert.presented.source === 'gateway') {
    const pinned = cam?.self_signed_tls_client_auth?.credentials.some((c) => c.x5t_s256 === cert.thumbprint);
    if (pinned) return 'self_signed_tls_client_auth';
  }
  throw failed(`certificate ${cert.thumbprint} matches no registered credential`);
}
