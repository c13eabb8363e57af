import { randomBytes } from 'node:crypto';
import { safeEqual } from '../crypto/digest.ts';
import { readCookies, serializeCookie } from '../http/cookies.ts';
import type { ApiEvent, Params } from '../http/types.ts';

/**
 * CSRF protection of the hosted pages' forms by double submit (OWASP CSRF cheat sheet): a
 * random token in an HttpOnly `SameSite=Lax` cookie scoped to `/u/`, and the same token in a
 * hidden form field. Another site can make a browser post a form to us, but cannot read the
 * cookie to put its value in the form, and a Lax cookie is not even sent on its posts. Not
 * Strict: the login page is reached by a redirect chain that starts on the application's
 * site, where a Strict cookie is withheld — every page load would mint a new token and break
 * the form of a login already open in another tab.
 * The transaction id (`state`) adds no protection here: it travels in the URL.
 */
export const csrfCookieName = 'portcullis_csrf';
export const csrfFieldName = '_csrf';

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

export interface CsrfToken {
  readonly token: string;
  /** `Set-Cookie` to send with the page (always sent, so the cookie's lifetime follows the form). */
  readonly setCookie: string;
}

/**
 * The token for a page being rendered: the browser's current one when it sent one (several
 * tabs keep working), else a new one (32 random bytes).
 */
export function csrfToken(event: ApiEvent, secure: boolean): CsrfToken {
  const existing = readCookies(event).get(csrfCookieName);
  const token = existing && tokenPattern.test(existing) ? existing : randomBytes(32).toString('base64url');
  // A session cookie (no Max-Age): it is only needed while a form is open.
  return { token, setCookie: serializeCookie(csrfCookieName, token, { secure, sameSite: 'lax', path: '/u/' }) };
}

/** Whether a submitted form carries the token of the browser's CSRF cookie (constant-time). */
export function csrfValid(event: ApiEvent, params: Params): boolean {
  const cookie = readCookies(event).get(csrfCookieName);
  const field = params[csrfFieldName];
  if (!cookie || !field || !tokenPattern.test(cookie)) return false;
  return safeEqual(cookie, field);
}
