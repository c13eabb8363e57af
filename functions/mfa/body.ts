import { invalidRequest } from '#shared/errors';
import { defaults, parseBody } from '#shared/http/body';
import type { ApiEvent } from '#shared/http/types';

/**
 * The MFA API's bodies, JSON or form (§1.2). `/mfa/associate` takes arrays
 * (`authenticator_types: ["otp"]`, `oob_channels: ["sms"]`), which the flat OAuth parser
 * refuses, so JSON members come back as they are, under the same limits as
 * shared/http/body.ts (size cap, UTF-8, an object at the top); a form body is parsed by
 * parseBody itself, where a list is one space-separated value. Malformed → 400 invalid_request.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type Body = Readonly<Record<string, unknown>>;

export function parseMfaBody(event: ApiEvent): Body {
  const type = event.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
  const raw = event.body ?? '';
  if (type !== 'application/json' || raw === '') return { ...parseBody(event) };
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > defaults.maxBytes) throw invalidRequest('Request body too large', { detail: `${bytes.length} bytes` });
  let text: string;
  try {
    text = event.isBase64Encoded ? utf8.decode(bytes) : raw;
  } catch {
    throw invalidRequest('Request body must be UTF-8');
  }
  if (!event.isBase64Encoded && text.includes('\uFFFD')) throw invalidRequest('Request body must be UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidRequest('Malformed JSON body');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidRequest('JSON body must be an object');
  // A null-prototype copy: `__proto__` and friends are plain member names here.
  return Object.assign(Object.create(null) as Record<string, unknown>, value);
}

/** A string member; "" and null count as omitted (RFC 6749 §3.1). */
export function stringParam(body: Body, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${name} must be a string`);
  return value;
}

/** A list member: a JSON array of strings, or (form) one space-separated string. */
export function listParam(body: Body, name: string): string[] | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value.split(' ').filter((v) => v !== '');
  if (!Array.isArray(value) || value.length > 10 || !value.every((v): v is string => typeof v === 'string')) {
    throw invalidRequest(`${name} must be an array of strings`);
  }
  return value;
}
