import { invalidRequest } from '#shared/errors';
import { parseBody } from '#shared/http/body';
import type { ApiEvent } from '#shared/http/types';

/**
 * The parameters of a logout request: the query string of a GET, the form of a POST
 * (`/oidc/logout`, reference §5.2). A repeated parameter is refused, as everywhere else
 * (RFC 6749 §3.1): which `returnTo` would win is exactly what an attacker would like to choose.
 *
 * Values are kept as sent, empty ones included, because `federated` is a value-less flag
 * (`/v2/logout?federated`, as auth0.js sends it); `present` tells a flag from an absence.
 */
export interface LogoutParams {
  /** The value, or undefined when absent or empty. */
  get(name: string): string | undefined;
  /** Whether the parameter was sent at all, with or without a value. */
  present(name: string): boolean;
}

export function queryParams(event: ApiEvent): LogoutParams {
  const values = new Map<string, string>();
  const multi = event.multiValueQueryStringParameters;
  const single = event.queryStringParameters ?? {};
  for (const name of Object.keys(multi ?? single)) {
    const all = multi?.[name] ?? [single[name] ?? ''];
    if (all.length > 1) throw invalidRequest(`'${name}' parameter must not be provided more than once`);
    values.set(name, all[0] ?? '');
  }
  return paramsOf(values);
}

export function formParams(event: ApiEvent): LogoutParams {
  // parseBody drops value-less parameters (RFC 6749 §3.1); only `federated` cares, and in a
  // POST it must be `true` or `false` anyway (reference §5.2).
  return paramsOf(new Map(Object.entries(parseBody(event))));
}

function paramsOf(values: ReadonlyMap<string, string>): LogoutParams {
  return {
    get: (name) => (values.get(name) || undefined),
    present: (name) => values.has(name),
  };
}
