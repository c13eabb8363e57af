import { isSecureIssuer, readCookies } from '#shared/http/cookies';
import { sendBackchannelLogout } from '#shared/logout/backchannel';
import { clearSessionCookie, endSession, sessionCookieName, type SessionRecord } from '#shared/store/sessions';
import type { EndpointRequest } from '#shared/http/endpoint';

/**
 * Ends the SSO session and tells the applications (reference §5): the session item is ended
 * first, so no new token comes out of it while the back-channel notices are on their way;
 * the notices are awaited (Lambda may freeze the process once the answer is returned), and
 * their failures never fail the logout — the user is logged out here either way.
 *
 * `session` is this browser's session (from its cookie); `hintSid` the session named by a
 * verified ID token hint, ended when the browser sent no session cookie (a cross-site form
 * POST to /oidc/logout does not carry a SameSite=Lax cookie).
 *
 * Returns the `Set-Cookie` lines the answer must carry: the session cookie deleted whenever
 * the browser sent one.
 */
export async function logOut(
  { event, tenant, context }: EndpointRequest,
  target: { session: SessionRecord | undefined; hintSid?: string },
): Promise<string[]> {
  const sid = target.session?.sid ?? target.hintSid;
  const ended = sid ? await endSession(sid) : undefined;
  // The issuer of the login, not of this request: a logout may come through another host.
  if (ended) await sendBackchannelLogout({ tenant, issuer: ended.issuer ?? context.issuer, session: ended });
  return readCookies(event).has(sessionCookieName) ? [clearSessionCookie(isSecureIssuer(context.issuer))] : [];
}
