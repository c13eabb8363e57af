import { OAuthError } from '#shared/errors';
import { defaults, parseForm } from '#shared/http/body';
import type { ApiEvent } from '#shared/http/types';

/**
 * The body of /passwordless/start, JSON (what the SDKs send) or form (reference §1.2). JSON
 * members come back as they are — `authParams` is an object — under the size cap and UTF-8
 * rule of shared/http/body.ts; a form gives flat strings, with `authParams[scope]=…` keys
 * (the qs convention) gathered into an `authParams` object. Anything malformed is a 400
 * `bad.request`, Auth0's code for a body it cannot take.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });
const badRequest = (description: string) => new OAuthError(400, 'bad.request', description);

export function readStartBody(event: ApiEvent, maxBytes = defaults.maxBytes): Record<string, unknown> {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) throw badRequest('Request body too large');
  let text: string;
  try {
    text = event.isBase64Encoded ? utf8.decode(bytes) : raw;
  } catch {
    throw badRequest('Request body must be UTF-8');
  }
  // Already-decoded text with a replacement character had bytes on the wire that were not UTF-8.
  if (!event.isBase64Encoded && text.includes('\uFFFD')) throw badRequest('Request body must be UTF-8');
  const type = event.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return formBody(text);
  if (type !== 'application/json') throw badRequest('Content-Type must be application/json or application/x-www-form-urlencoded');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('Malformed JSON body');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('JSON body must be an object');
  return value as Record<string, unknown>;
}

function formBody(text: string): Record<string, unknown> {
  let params: Record<string, string>;
  try {
    params = parseForm(text);
  } catch (error) {
    throw badRequest(error instanceof OAuthError ? error.description : 'Malformed form body');
  }
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
