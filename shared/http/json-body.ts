import { invalidRequest } from '../errors.ts';
import { assertNoRepeatedMembers, defaults, mediaType, parseBody, readBodyText } from './body.ts';
import type { ApiEvent } from './types.ts';

/**
 * Bodies whose JSON members keep their JSON types — `/dbconnections/signup`'s
 * `user_metadata`, `/mfa/associate`'s arrays, `/passwordless/start`'s `authParams` — which
 * the flat OAuth parser (body.ts) refuses. The same safety as body.ts: size cap, UTF-8 only,
 * an object at the top; malformed → 400 `invalid_request` (callers re-dress it in their own
 * shape). The object has no prototype: `__proto__` and friends are plain member names.
 */
export interface JsonObjectOptions {
  /**
   * Refuse `{"a":1,"a":2}` as the form parser refuses `a=1&a=2` (RFC 6749 §3.2): JSON.parse
   * would silently keep the last one.
   */
  readonly refuseRepeatedMembers?: boolean;
}

/** A JSON text's top-level object, members as they are. */
export function parseJsonObject(text: string, options: JsonObjectOptions = {}): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidRequest('Malformed JSON body');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidRequest('JSON body must be an object');
  if (options.refuseRepeatedMembers) assertNoRepeatedMembers(text);
  return Object.assign(Object.create(null) as Record<string, unknown>, value);
}

/**
 * A JSON body's members as they are; any other body (form) through parseBody, where every
 * value is a flat string. Either way a repeated member or parameter is refused: a JSON body
 * must not be a way around the form parser's rule (`client_id` twice, the last one winning).
 */
export function parseObjectBody(event: ApiEvent, maxBytes = defaults.maxBytes): Record<string, unknown> {
  if (mediaType(event) !== 'application/json') return Object.assign(Object.create(null) as Record<string, unknown>, parseBody(event, maxBytes));
  return parseJsonObject(readBodyText(event, maxBytes), { refuseRepeatedMembers: true });
}
