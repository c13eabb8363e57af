import type { OAuthError } from '#shared/errors';

/**
 * How a refused login or signup shows on the page that submitted it: the form again, with
 * the error's public description and a 4xx. A wrong password is Auth0's 403 `invalid_grant`
 * at the token endpoint, but on a page it is a bad form submission: 400. A block (429
 * `too_many_attempts`, with its `Retry-After`) and an administrator block (401) keep theirs.
 */
export interface PageFailure {
  readonly status: number;
  readonly error: string;
  readonly headers: Record<string, string>;
}

export function pageFailure(error: OAuthError): PageFailure {
  // Our own fault stays one: the endpoint answers it as a 500 error page.
  if (error.statusCode >= 500 || error.statusCode < 400) throw error;
  return { status: error.error === 'invalid_grant' ? 400 : error.statusCode, error: error.description, headers: error.headers };
}
