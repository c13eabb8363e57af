import { OAuthError, invalidRequest } from '#shared/errors';

/**
 * The MFA API's own refusals (reference §8). Auth0 answers them in the OAuth shape
 * (`{"error","error_description"}`, §1.4); bearer failures carry an RFC 6750 §3 challenge.
 */
const realm = 'Bearer realm="MFA API"';
const quoted = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

/** 401: no usable bearer token (missing, not ours, expired, or an mfa_token where only an access token will do). */
export function invalidToken(description: string, detail?: string): OAuthError {
  return new OAuthError(401, 'invalid_token', description, {
    detail: detail ?? description,
    headers: { 'WWW-Authenticate': `${realm}, error="invalid_token", error_description=${quoted(description)}` },
  });
}

/** RFC 6750 §3.1: a valid access token without the scope this call needs. */
export function insufficientScope(scope: string): OAuthError {
  const description = `Insufficient scope, expected: ${scope}`;
  return new OAuthError(403, 'insufficient_scope', description, {
    headers: { 'WWW-Authenticate': `${realm}, error="insufficient_scope", scope=${quoted(scope)}` },
  });
}

/** §8.2: an mfa_token may enrol only a user without an active authenticator; others must pass a challenge first. */
export const alreadyEnrolled = () =>
  new OAuthError(403, 'access_denied', 'User is already enrolled.', { detail: 'associate with an mfa_token while an authenticator is active' });

/** §8.1: the user has no active authenticator to challenge. */
export const associationRequired = () =>
  new OAuthError(400, 'association_required', 'User is not enrolled. You can use /mfa/associate endpoint to enroll the first authenticator.');

/** §8.1: none of the user's authenticators matches the challenge types the app supports. */
export const unsupportedChallengeType = (description: string) => new OAuthError(400, 'unsupported_challenge_type', description);

/** A factor the tenant does not enable (guardianFactors) cannot be enrolled or challenged. */
export const factorNotEnabled = (factor: string) => invalidRequest(`The ${factor} factor is not enabled for this tenant.`);
