import type { ApiEvent } from './types.ts';

/**
 * Cookies for the hosted pages. A cookie is `Secure` whenever the request reached us over
 * HTTPS (the custom domain's proxy, API Gateway); on `http://127.0.0.1` it cannot be, and
 * `SameSite=None` needs `Secure`, so there it falls back to `Lax` (RFC 6265bis §5.4.7).
 */
export function readCookies(event: ApiEvent): Map<string, string> {
  const cookies = new Map<string, string>();
  const raw = [event.headers['cookie'], ...(event.multiValueHeaders?.['cookie'] ?? event.multiValueHeaders?.['Cookie'] ?? [])]
    .filter((v): v is string => typeof v === 'string')
    .join('; ');
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    // The first occurrence wins: the most specific path comes first (RFC 6265 §5.4).
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export interface CookieOptions {
  readonly secure: boolean;
  /** Seconds; omitted for a session cookie, 0 to delete. */
  readonly maxAge?: number;
  readonly path?: string;
  /** `none` becomes `Lax` when the cookie cannot be Secure. */
  readonly sameSite?: 'lax' | 'strict' | 'none';
}

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const sameSite = options.sameSite ?? 'lax';
  const effective = sameSite === 'none' && !options.secure ? 'lax' : sameSite;
  const parts = [`${name}=${value}`, `Path=${options.path ?? '/'}`, 'HttpOnly', `SameSite=${effective[0]!.toUpperCase()}${effective.slice(1)}`];
  if (options.secure) parts.push('Secure');
  if (options.maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`);
  return parts.join('; ');
}

/** Whether this request's public URL is HTTPS, i.e. cookies can and must be Secure. */
export const isSecureIssuer = (issuer: string) => issuer.startsWith('https://');

/** Adds `Set-Cookie` lines to a result (API Gateway REST needs `multiValueHeaders` for several). */
export function withCookies<T extends { multiValueHeaders?: Record<string, (string | number | boolean)[]> }>(result: T, cookies: readonly string[]): T {
  if (cookies.length === 0) return result;
  const existing = result.multiValueHeaders?.['Set-Cookie'] ?? [];
  return { ...result, multiValueHeaders: { ...result.multiValueHeaders, 'Set-Cookie': [...existing, ...cookies] } };
}
