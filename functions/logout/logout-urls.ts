/**
 * Where a logout may send the browser: only to an Allowed Logout URL of the application
 * (`client_id` given, or the `aud` of an ID token hint) or, without an application, of the
 * tenant (reference §5.1, §5.2). Anything else is an open redirect.
 *
 * Two rules, one per endpoint:
 * - `/v2/logout` `returnTo` follows Auth0's documented rule: the query string and fragment
 *   of `returnTo` are not taken into account, the rest must equal an allowed URL (scheme and
 *   host compared case-insensitively as URLs are, path case-sensitively). Applications that
 *   add e.g. `?loggedOut=1` keep working after moving from Auth0. Wildcards are never
 *   allowed (the tenant file refuses them, RFC 9700 §2.1).
 * - `/oidc/logout` `post_logout_redirect_uri` must equal a registered URL exactly, string for
 *   string: OpenID Connect RP-Initiated Logout 1.0 §3 ("MUST NOT perform post-logout
 *   redirection if the post_logout_redirect_uri value supplied does not exactly match one of
 *   the previously registered post_logout_redirect_uris values").
 */
export function allowsReturnTo(allowed: readonly string[], returnTo: string): boolean {
  const wanted = withoutQueryAndFragment(returnTo);
  return wanted !== undefined && allowed.some((url) => withoutQueryAndFragment(url) === wanted);
}

export function allowsPostLogoutRedirectUri(allowed: readonly string[], uri: string): boolean {
  return allowed.includes(uri);
}

/** The URL serialized without its query and fragment; undefined for what is not an absolute URL. */
function withoutQueryAndFragment(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  url.search = '';
  url.hash = '';
  return url.href;
}

/** The URL with `state` added to its query (RP-Initiated Logout §3: echoed when sent). */
export function withState(uri: string, state: string | undefined): string {
  if (state === undefined) return uri;
  const url = new URL(uri);
  url.searchParams.append('state', state);
  return url.href;
}
