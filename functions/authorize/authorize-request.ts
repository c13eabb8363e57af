import { isValidS256Challenge } from '#shared/crypto/pkce';
import { enabledDatabaseConnection } from '#shared/connections/database';
import { passwordlessConnection } from '#shared/connections/passwordless';
import { invalidRequest, OAuthError, unauthorizedClient } from '#shared/errors';
import type { TenantConfig } from '#shared/tenant/model';
import { grantUserScopes } from '#shared/tokens/user-tokens';
import { requestedScopes } from '#shared/oauth/scopes';
import type { VerifiedRedirect } from './client-redirect.ts';
import { parseMaxAge, parsePrompt } from './prompt.ts';
import type { AuthorizeQuery } from './query-params.ts';
import { httpOrigin } from '#shared/http/origins';
import { responseModes, type ResponseMode, type ResponseTarget } from './response-modes.ts';
import type { AuthorizationTransaction } from './transaction.ts';

/**
 * The checks of /authorize that come after client_id and redirect_uri, in order (reference
 * §2.1, OIDC Core §3.1.2.2). Each failure is an OAuthError that /authorize sends to the
 * verified redirect_uri (see `errorTarget`), never an error page.
 */
export type ValidAuthorizeRequest = Omit<AuthorizationTransaction, 'id' | 'created_at'>;

const limits = { state: 4096, nonce: 2048, login_hint: 512, screen_hint: 64, audience: 512 } as const;

export function validateAuthorizeRequest(tenant: TenantConfig, { params, repeated }: AuthorizeQuery, verified: VerifiedRedirect): ValidAuthorizeRequest {
  const { client, redirectUri } = verified;
  const [again] = repeated;
  if (again !== undefined) throw invalidRequest(`'${again}' parameter must not be provided more than once`);
  for (const [name, max] of Object.entries(limits)) {
    if ((params[name]?.length ?? 0) > max) throw invalidRequest(`${name} is too long`);
  }

  const responseType = parseResponseType(params.response_type);
  if (params.response_type === undefined) throw new OAuthError(400, 'unsupported_response_type', 'Missing required parameter: response_type');
  if (responseType === undefined) throw new OAuthError(400, 'unsupported_response_type', `Unsupported response type: ${params.response_type}`);
  const types = responseType.split(' ');
  if (types.includes('code') && !client.grant_types.includes('authorization_code')) {
    throw unauthorizedClient("Grant type 'authorization_code' not allowed for the client.");
  }
  if (returnsTokens(responseType) && !client.grant_types.includes('implicit')) {
    throw unauthorizedClient("Grant type 'implicit' not allowed for the client.");
  }

  const mode = params.response_mode ?? defaultResponseMode(responseType);
  if (!isResponseMode(mode)) throw invalidRequest(`Unsupported response_mode: ${mode}`);
  // OAuth 2.0 Multiple Response Types §2.1: tokens never travel in a query string.
  if (mode === 'query' && returnsTokens(responseType)) throw invalidRequest(`response_mode=query is not allowed for response_type=${responseType}`);
  if ((mode === 'form_post' || mode === 'web_message') && !httpOrigin(redirectUri)) throw invalidRequest(`response_mode=${mode} needs an http(s) redirect_uri`);
  if (mode === 'web_message' && !client.web_origins.includes(httpOrigin(redirectUri)!)) {
    throw invalidRequest(`The origin of the redirect_uri is not an Allowed Web Origin of the client`, { detail: 'web_message origin' });
  }

  // Integrity-protected requests are not supported; say so cleanly (OIDC Core §6.1, §6.2).
  if (params.request !== undefined) throw new OAuthError(400, 'request_not_supported', 'The request parameter is not supported');
  if (params.request_uri !== undefined) throw new OAuthError(400, 'request_uri_not_supported', 'The request_uri parameter is not supported');

  // OIDC Core §3.2.2.1: implicit and hybrid requests that return an ID token need a nonce.
  if (types.includes('id_token') && params.nonce === undefined) throw invalidRequest('Missing required parameter: nonce');

  const challenge = params.code_challenge;
  const method = params.code_challenge_method;
  if (challenge === undefined && method !== undefined) throw invalidRequest('code_challenge_method sent without code_challenge');
  if (challenge !== undefined) {
    // RFC 7636 §4.3: without a method the challenge is `plain`, which Auth0 does not support.
    if (method !== 'S256') throw invalidRequest('Unsupported code_challenge_method: only S256 is supported', { detail: `method ${method ?? 'plain (default)'}` });
    if (!isValidS256Challenge(challenge)) throw invalidRequest('code_challenge must be the base64url SHA-256 of the code_verifier (43 characters)');
  }
  if (types.includes('code') && challenge === undefined && client.token_endpoint_auth_method === 'none') {
    throw invalidRequest('code_challenge is required for public clients (PKCE)');
  }

  const prompt = parsePrompt(params.prompt);
  const maxAge = parseMaxAge(params.max_age);
  const audience = params.audience ?? tenant.settings.default_audience;
  const scope = grantUserScopes(tenant, requestedScopes(params.scope), audience);
  if (types.includes('id_token') && !scope.includes('openid')) throw invalidRequest('response_type id_token needs the openid scope');

  let connection: string | undefined;
  if (params.connection !== undefined) {
    // A database connection, or a passwordless one (email/sms: the passwordless login page).
    const db = enabledDatabaseConnection(tenant, params.connection, client.client_id) ?? passwordlessConnection(tenant, params.connection, client.client_id);
    if (!db) throw invalidRequest(`The connection ${params.connection} is not enabled for this application`, { detail: 'connection' });
    connection = db.name;
  }

  return {
    client_id: client.client_id,
    redirect_uri: redirectUri,
    ...(verified.redirectUriSent ? {} : { redirect_uri_omitted: true }),
    response_type: responseType,
    response_mode: mode,
    scope,
    audience,
    state: params.state,
    nonce: params.nonce,
    ...(challenge !== undefined ? { code_challenge: challenge, code_challenge_method: 'S256' as const } : {}),
    prompt,
    max_age: maxAge,
    login_hint: params.login_hint,
    screen_hint: params.screen_hint,
    connection,
  };
}

/**
 * Where the errors of a request whose client and redirect_uri are verified go: its response
 * mode when that mode is usable, else the default for its response type (query when unknown).
 */
export function errorTarget(params: AuthorizeQuery['params'], verified: VerifiedRedirect): ResponseTarget {
  const redirectUri = verified.redirectUri;
  const responseType = parseResponseType(params.response_type);
  const fallback: ResponseTarget = { redirectUri, mode: responseType ? defaultResponseMode(responseType) : 'query' };
  const mode = params.response_mode;
  const origin = httpOrigin(redirectUri);
  if (mode === 'fragment' || (mode === 'form_post' && origin)) return { redirectUri, mode };
  if (mode === 'query' && !(responseType && returnsTokens(responseType))) return { redirectUri, mode };
  if (mode === 'web_message' && origin && verified.client.web_origins.includes(origin)) return { redirectUri, mode };
  return fallback;
}

/** A response type in canonical order (`code id_token token`), or undefined if unsupported. */
export function parseResponseType(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(' ').filter((p) => p !== '');
  const known = ['code', 'id_token', 'token'];
  if (parts.length === 0 || new Set(parts).size !== parts.length || parts.some((p) => !known.includes(p))) return undefined;
  return known.filter((k) => parts.includes(k)).join(' ');
}

export const returnsTokens = (responseType: string) => responseType.split(' ').some((t) => t === 'token' || t === 'id_token');

/** Query for `code`, fragment as soon as tokens are returned (Multiple Response Types §5). */
export const defaultResponseMode = (responseType: string): ResponseMode => (returnsTokens(responseType) ? 'fragment' : 'query');

const isResponseMode = (mode: string): mode is ResponseMode => (responseModes as readonly string[]).includes(mode);
