import { invalidRequest } from '#shared/errors';
import { defaults, parseBody } from '#shared/http/body';
import type { ApiEvent } from '#shared/http/types';

/**
 * The body of `/dbconnections/signup`, JSON or form. Unlike the OAuth endpoints' flat
 * parameters, signup's JSON carries an object (`user_metadata`), so JSON members come back as
 * they are, under the same safety as shared/http/body.ts: size cap, UTF-8 only, an object at
 * the top. A form body is parsed by parseBody itself (flat strings, repeats refused).
 * Everything malformed is a 400 `invalid_request`, which the endpoint turns into its own shape.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseObjectBody(event: ApiEvent, maxBytes = defaults.maxBytes): Record<string, unknown> {
  const type = event.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
  if (type !== 'application/json') return { ...parseBody(event, maxBytes) };
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) throw invalidRequest('Request body too large', { detail: `${bytes.length} bytes` });
  let text: string;
  try {
    text = event.isBase64Encoded ? utf8.decode(bytes) : raw;
  } catch {
    throw invalidRequest('Request body must be UTF-8');
  }
  // Already-decoded text with a replacement character had bytes on the wire that were not UTF-8.
  if (!event.isBase64Encoded && text.includes('\uFFFD')) throw invalidRequest('Request body must be UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidRequest('Malformed JSON body');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidRequest('JSON body must be an object');
  return value as Record<string, unknown>;
}
