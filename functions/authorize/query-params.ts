import type { ApiEvent } from '#shared/http/types';

/**
 * The query of an /authorize request as single values. RFC 6749 §3.1: parameters sent without
 * a value count as omitted, and none may be sent twice; which repeats matter is decided by the
 * caller (a repeated client_id or redirect_uri means an error page, the others a redirect).
 */
export interface AuthorizeQuery {
  readonly params: Readonly<Record<string, string>>;
  readonly repeated: ReadonlySet<string>;
}

export function readAuthorizeQuery(event: ApiEvent): AuthorizeQuery {
  const params: Record<string, string> = Object.create(null);
  const repeated = new Set<string>();
  const multi = event.multiValueQueryStringParameters ?? {};
  const single = event.queryStringParameters ?? {};
  for (const name of new Set([...Object.keys(single), ...Object.keys(multi)])) {
    const values = (multi[name] ?? [single[name]]).filter((v): v is string => typeof v === 'string' && v !== '');
    if (values.length > 1) repeated.add(name);
    if (values[0] !== undefined) params[name] = values[0];
  }
  return { params, repeated };
}
