import { isOAuthError, OAuthError } from '../errors.ts';
import { log } from '../log.ts';
import { errorPage } from '../html/page.ts';
import { json, noStore, text } from './responses.ts';
import type { ApiEvent, ApiResult } from './types.ts';

/**
 * Turns anything thrown into Auth0's error shape. OAuth errors are answered as they are
 * (their `detail` goes to the log, never to the client); anything else is our bug: a 500
 * `server_error` and an error log line with the stack, as node-oidc-provider's err_out does.
 */
export type ErrorFormat = 'json' | 'text' | 'html';

export function errorResponse(error: unknown, event: ApiEvent, format: ErrorFormat, tenantName = 'Portcullis'): ApiResult {
  if (isOAuthError(error)) {
    log.debug('request refused', {
      path: event.path,
      status: error.statusCode,
      error: error.error,
      detail: error.detail,
    });
    return render(error, format, tenantName);
  }
  log.error('unhandled error', {
    path: event.path,
    requestId: event.requestContext?.requestId,
    error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
  });
  return render(new OAuthError(500, 'server_error', 'Internal error'), format, tenantName);
}

function render(error: OAuthError, format: ErrorFormat, tenantName: string): ApiResult {
  const headers = { ...noStore, ...error.headers };
  if (format === 'html') {
    const page = errorPage({ status: error.statusCode, error: error.error, description: error.description, tenantName });
    return { ...page, headers: { ...page.headers, ...error.headers } };
  }
  return format === 'text'
    ? text(error.statusCode, error.statusCode === 429 ? 'Rate limit exceed' : error.description, headers)
    : json(error.statusCode, error.toJSON(), headers);
}
