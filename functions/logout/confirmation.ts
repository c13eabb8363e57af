import { randomBytes } from 'node:crypto';
import { safeEqual, sha256Base64Url } from '#shared/crypto/digest';
import { readCookies, serializeCookie } from '#shared/http/cookies';
import type { ApiEvent } from '#shared/http/types';

/**
 * CSRF protection of the logout confirmation form (RP-Initiated Logout 1.0 §2: without a hint
 * that proves who asks, the OP asks the user). A page on another site must not be able to
 * log the user out by posting the form itself:
 *
 * - the confirmation page sets a random value in an HttpOnly cookie scoped to /oidc/logout
 *   with `SameSite=Strict`, so a cross-site POST never carries it;
 * - the form carries a token derived from that value and the session id, so a cookie planted
 *   by a sibling domain (which cannot know the session id) does not help either;
 * - the answer compares the two in constant time, and the cookie is deleted once used.
 */
export const confirmationCookieName = 'portcullis_logout_confirm';
const cookiePath = '/oidc/logout';
/** Ten minutes to press the button. */
const maxAgeSeconds = 600;

export function newConfirmation(sid: string, secure: boolean): { token: string; setCookie: string } {
  const value = randomBytes(32).toString('base64url');
  return {
    token: confirmationToken(sid, value),
    setCookie: serializeCookie(confirmationCookieName, value, { secure, sameSite: 'strict', path: cookiePath, maxAge: maxAgeSeconds }),
  };
}

export function isConfirmed(event: ApiEvent, sid: string, token: string | undefined): boolean {
  const value = readCookies(event).get(confirmationCookieName);
  if (!value || !token) return false;
  return safeEqual(confirmationToken(sid, value), token);
}

export function clearConfirmationCookie(secure: boolean): string {
  return serializeCookie(confirmationCookieName, '', { secure, sameSite: 'strict', path: cookiePath, maxAge: 0 });
}

function confirmationToken(sid: string, value: string): string {
  return sha256Base64Url(`${sid}.${value}`);
}
