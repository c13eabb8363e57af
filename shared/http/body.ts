import { invalidRequest } from '../errors.ts';
import type { ApiEvent, Params } from './types.ts';

/**
 * Parses an OAuth request body, JSON or form (Auth0 accepts both on /oauth/token, reference
 * §1.2), into flat string parameters. Everything malformed is a 400 `invalid_request`: an
 * oversized or non-UTF-8 body, an unknown content type, broken JSON or percent-encoding, a
 * repeated parameter (RFC 6749 §3.2: "Request and response parameters MUST NOT be included
 * more than once"), a nested value. Parameters sent without a value count as omitted
 * (RFC 6749 §3.1).
 */
export const defaults = {
  /** Token requests are small; Auth0 caps a client assertion at 2,048 bytes. */
  maxBytes: 16 * 1024,
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseBody(event: ApiEvent, maxBytes = defaults.maxBytes): Params {
  const raw = event.body;
  if (raw === null || raw === undefined || raw === '') return Object.create(null) as Params;
  const textBody = readBodyText(event, maxBytes);
  const type = mediaType(event);
  if (type === 'application/x-www-form-urlencoded') return parseForm(textBody);
  if (type === 'application/json') return parseJson(textBody);
  throw invalidRequest('Content-Type must be application/json or application/x-www-form-urlencoded', {
    detail: `content-type ${type ?? 'missing'}`,
  });
}

/** The body as text, under the size cap and UTF-8 only; 400 `invalid_request` otherwise. */
export function readBodyText(event: ApiEvent, maxBytes = defaults.maxBytes): string {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) throw invalidRequest('Request body too large', { detail: `${bytes.length} bytes` });
  let textBody: string;
  try {
    textBody = event.isBase64Encoded ? utf8.decode(bytes) : raw;
  } catch {
    throw invalidRequest('Request body must be UTF-8');
  }
  if (!event.isBase64Encoded && textBody.includes('\uFFFD')) {
    // The local server and API Gateway both hand us already-decoded text; a replacement
    // character means the bytes on the wire were not UTF-8.
    throw invalidRequest('Request body must be UTF-8');
  }
  return textBody;
}

/** The request's media type, lower case, without parameters (`; charset=…`). */
export function mediaType(event: ApiEvent): string | undefined {
  return event.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
}

export function parseForm(body: string): Params {
  const params: Record<string, string> = Object.create(null);
  const seen = new Set<string>();
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeFormComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeFormComponent(pair.slice(eq + 1));
    // The name is echoed, cut short: a body may repeat a 16 KiB member name.
    if (seen.has(key)) throw invalidRequest(`'${key.slice(0, 64)}' parameter must not be provided more than once`);
    seen.add(key);
    if (value !== '') params[key] = value;
  }
  return params;
}

function decodeFormComponent(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw invalidRequest('Malformed application/x-www-form-urlencoded body');
  }
}

export function parseJson(body: string): Params {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw invalidRequest('Malformed JSON body');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest('JSON body must be an object');
  }
  assertNoRepeatedMembers(body);
  const params: Record<string, string> = Object.create(null);
  for (const [key, member] of Object.entries(value)) {
    if (member === null || member === '') continue;
    if (typeof member === 'string') params[key] = member;
    else if (typeof member === 'number' || typeof member === 'boolean') params[key] = String(member);
    else throw invalidRequest(`'${key}' parameter must be a string`);
  }
  return params;
}

/** Refuses a (valid) JSON object text whose top level repeats a member name; see memberNames. */
export function assertNoRepeatedMembers(json: string): void {
  const seen = new Set<string>();
  for (const key of memberNames(json)) {
    // The name is echoed, cut short: a body may repeat a 16 KiB member name.
    if (seen.has(key)) throw invalidRequest(`'${key.slice(0, 64)}' parameter must not be provided more than once`);
    seen.add(key);
  }
}

/**
 * The member names of a (valid) JSON object's top level, repeats included: JSON.parse keeps
 * only the last of repeated members, which would let `{"client_id":"a","client_id":"b"}`
 * through where the same form body is refused (RFC 6749 §3.2).
 */
function memberNames(json: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let lastString = '""';
  for (const [token] of json.matchAll(/"(?:[^"\\]|\\.)*"|[{}[\]:]/g)) {
    if (token === '{' || token === '[') depth++;
    else if (token === '}' || token === ']') depth--;
    else if (token === ':') {
      if (depth === 1) names.push(JSON.parse(lastString) as string);
    } else lastString = token;
  }
  return names;
}
