import { invalidRequest } from '#shared/errors';
import { parseObjectBody } from '#shared/http/json-body';
import type { ApiEvent } from '#shared/http/types';

/**
 * The MFA API's bodies, JSON or form (§1.2). `/mfa/associate` takes arrays
 * (`authenticator_types: ["otp"]`, `oob_channels: ["sms"]`), which the flat OAuth parser
 * refuses, so JSON members come back as they are (shared/http/json-body.ts); in a form body a
 * list is one space-separated value. An empty body is no parameters, whatever its type.
 * Malformed → 400 invalid_request.
 */
export type Body = Readonly<Record<string, unknown>>;

export function parseMfaBody(event: ApiEvent): Body {
  // An empty body is no parameters (as parseBody has it), not broken JSON.
  if ((event.body ?? '') === '') return {};
  return parseObjectBody(event);
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
