import { OAuthError } from '#shared/errors';
import { defaults, mediaType, parseForm, readBodyText } from '#shared/http/body';
import { parseJsonObject } from '#shared/http/json-body';
import type { ApiEvent } from '#shared/http/types';

/**
 * The body of /passwordless/start, JSON (what the SDKs send) or form (reference §1.2). JSON
 * members come back as they are — `authParams` is an object — under the size cap and UTF-8
 * rule of shared/http/body.ts; a form gives flat strings, with `authParams[scope]=…` keys
 * (the qs convention) gathered into an `authParams` object. A repeated member is refused in
 * both (RFC 6749 §3.2). Anything malformed is a 400 `bad.request`, Auth0's code for a body it
 * cannot take.
 */
const badRequest = (description: string) => new OAuthError(400, 'bad.request', description);

export function readStartBody(event: ApiEvent, maxBytes = defaults.maxBytes): Record<string, unknown> {
  const text = asBadRequest(() => readBodyText(event, maxBytes));
  const type = mediaType(event);
  if (type === 'application/x-www-form-urlencoded') return formBody(text);
  if (type !== 'application/json') throw badRequest('Content-Type must be application/json or application/x-www-form-urlencoded');
  if (text.trim() === '') return {};
  return asBadRequest(() => parseJsonObject(text, { refuseRepeatedMembers: true }));
}

/** The shared parsers' 400 `invalid_request`, re-dressed with the same text as `bad.request`. */
function asBadRequest<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof OAuthError && error.statusCode === 400) throw badRequest(error.description);
    throw error;
  }
}

function formBody(text: string): Record<string, unknown> {
  const params = asBadRequest(() => parseForm(text));
  // No prototype: a key named `__proto__` stays a key.
  const body: Record<string, unknown> = Object.create(null);
  const authParams: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(params)) {
    const nested = /^authParams\[([^\]]+)\]$/.exec(key);
    if (nested) authParams[nested[1]!] = value;
    else body[key] = value;
  }
  if (Object.keys(authParams).length > 0) {
    if (body.authParams !== undefined) throw badRequest("'authParams' must not be provided more than once");
    body.authParams = authParams;
  }
  return body;
}
