/**
 * Origins of the URLs a tenant registers (callbacks, logout URLs, back-channel URLs). Only
 * http(s) URLs have an origin to speak of: a native app's private-use scheme
 * (`com.example.app:/callback`, RFC 8252 §7.1) has the opaque origin `null`.
 */

/** The origin of an http(s) URL; undefined for anything else (another scheme, not a URL). */
export function httpOrigin(uri: string): string | undefined {
  if (!URL.canParse(uri)) return undefined;
  const { protocol, origin } = new URL(uri);
  return protocol === 'https:' || protocol === 'http:' ? origin : undefined;
}

/**
 * The CSP source that matches a redirect to `uri` (`form-action` governs the redirect that
 * follows a form post, CSP3 §6.3.1): its origin for http(s), its scheme (`com.example.app:`)
 * for a native app's callback; undefined when it is no URL.
 */
export function cspSourceOf(uri: string): string | undefined {
  if (!URL.canParse(uri)) return undefined;
  return httpOrigin(uri) ?? new URL(uri).protocol;
}
