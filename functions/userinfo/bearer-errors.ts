import { OAuthError } from '#shared/errors';

/**
 * /userinfo's errors, as Auth0 sends them (reference §1.4, §4.5): plain text with an RFC 6750
 * §3 challenge in `WWW-Authenticate`, e.g. `401 Unauthorized` and
 * `Bearer realm="Users", error="invalid_token", error_description="The token has expired"`.
 * The endpoint's errorFormat 'text' writes `description` as the body.
 */
const realm = 'Bearer realm="Users"';

/** Quotes for an auth-param value (RFC 9110 §5.6.4): the descriptions here are ours, but escape anyway. */
const quoted = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

export function invalidToken(description: string, detail?: string): OAuthError {
  return new OAuthError(401, 'invalid_token', 'Unauthorized', {
    detail: detail ?? description,
    headers: { 'WWW-Authenticate': `${realm}, error="invalid_token", error_description=${quoted(description)}` },
  });
}

/** RFC 6750 §3.1: a request without any token gets the bare challenge, no error code. */
export function missingToken(): OAuthError {
  return new OAuthError(401, 'invalid_token', 'Unauthorized', { detail: 'no access token', headers: { 'WWW-Authenticate': realm } });
}

/** RFC 6750 §2, §3.1: a token sent more than one way is a malformed request. */
export function malformedRequest(description: string): OAuthError {
  return new OAuthError(400, 'invalid_request', 'Bad Request', {
    detail: description,
    headers: { 'WWW-Authenticate': `${realm}, error="invalid_request", error_description=${quoted(description)}` },
  });
}
