/**
 * Errors with Auth0's wire contract. `error` is the stable code clients match on (tests assert
 * it, as jose's tests assert `code`); `description` is the public `error_description`;
 * `detail` is for our logs only and never leaves the process (node-oidc-provider's
 * `error_detail`).
 */
export interface OAuthErrorOptions {
  readonly detail?: string;
  readonly headers?: Record<string, string>;
  readonly cause?: unknown;
  /** Extra members of the JSON body (Auth0 adds e.g. `mfa_token`, `error_uri`). */
  readonly extra?: Record<string, unknown>;
}

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(
    readonly statusCode: number,
    readonly error: string,
    readonly description: string,
    options: OAuthErrorOptions = {},
  ) {
    super(`${error}: ${description}`, { cause: options.cause });
    this.detail = options.detail;
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { error: this.error, error_description: this.description, ...this.extra };
  }
}

type Factory = (description: string, options?: OAuthErrorOptions) => OAuthError;
const make =
  (status: number, error: string): Factory =>
  (description, options) =>
    new OAuthError(status, error, description, options);

// Status codes follow Auth0 (reference §1.4), not always RFC 6749: Auth0 answers 403 for
// invalid_grant, unauthorized_client and access_denied.
export const invalidRequest = make(400, 'invalid_request');
export const invalidScope = make(400, 'invalid_scope');
export const unsupportedGrantType = make(400, 'unsupported_grant_type');
export const invalidClient = make(401, 'invalid_client');
export const unauthorizedClient = make(403, 'unauthorized_client');
export const accessDenied = make(403, 'access_denied');
export const invalidGrant = make(403, 'invalid_grant');
export const notFound = make(404, 'not_found');
export const methodNotAllowed = make(405, 'method_not_allowed');
export const tooManyRequests = make(429, 'too_many_requests');

export function isOAuthError(value: unknown): value is OAuthError {
  return value instanceof OAuthError;
}
