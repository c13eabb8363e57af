import { OAuthError } from '../errors.ts';

/**
 * Auth0's attack-protection refusals (reference §1.4, §16.5, §16.6), verbatim: clients and
 * Auth0's SDKs match on `too_many_attempts` and show the description to the user.
 */
export const blockedAccount = () =>
  new OAuthError(
    429,
    'too_many_attempts',
    "Your account has been blocked after multiple consecutive login attempts. We've sent you an email with instructions on how to unblock it.",
  );

export const suspiciousIp = (retryAfterSeconds?: number) =>
  new OAuthError(429, 'too_many_attempts', 'We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.', {
    headers: retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : {},
  });

/** An administrator's block (UserRecord.blocked): Auth0's legacy `unauthorized` "user is blocked". */
export const userBlocked = () => new OAuthError(401, 'unauthorized', 'user is blocked');
