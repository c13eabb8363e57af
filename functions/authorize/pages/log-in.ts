import type { ApiResult } from '#shared/http/types';
import { sendBackchannelLogout } from '#shared/logout/backchannel';
import { createSession, currentSession, endSession, reauthenticateSession, type SessionRecord } from '#shared/store/sessions';
import type { UserRecord } from '#shared/store/users';
import { completeAuthorization } from '../transaction.ts';
import type { PageContext } from './forms.ts';

export interface LogInOptions {
  /** How the user authenticated (OIDC Core §2 `amr`): `["mfa"]` after a second factor. */
  readonly amr?: readonly string[];
}

/**
 * After a successful login or signup: the authorization response to the client, from a
 * session whose `auth_time` is now. The browser's session of the same user continues (its sid
 * and applications stay, as their ID tokens name it); another user's session ends first, with
 * back-channel logout to its applications, so nothing of it stays live behind the new cookie.
 */
export async function logIn(page: PageContext, user: UserRecord, connection: string, options: LogInOptions = {}): Promise<ApiResult> {
  const { session, setCookies } = await establishSession(page, user, connection, options);
  return completeAuthorization(page.request, page.transaction, session, { setCookies, freshLogin: true });
}

/**
 * The session half of logIn, for a page that shows something before it answers the client
 * (the MFA pages show a new recovery code once): the session and the cookies to send.
 */
export async function establishSession(
  page: PageContext,
  user: UserRecord,
  connection: string,
  options: LogInOptions = {},
): Promise<{ session: SessionRecord; setCookies: string[] }> {
  const { request } = page;
  const authTime = Math.floor(Date.now() / 1000);
  const amr = options.amr?.length ? { amr: options.amr } : {};
  const previous = await currentSession(request.event, request.tenant);
  if (previous?.user_id === user.user_id) {
    const session = await reauthenticateSession(previous, { authTime, connection, ...amr });
    if (session) return { session, setCookies: [] };
  } else if (previous) {
    const ended = await endSession(previous.sid);
    if (ended) await sendBackchannelLogout({ tenant: request.tenant, issuer: ended.issuer ?? request.context.issuer, session: ended });
  }
  const { session, setCookie } = await createSession({
    tenant: request.tenant,
    userId: user.user_id,
    connection,
    authTime,
    secure: page.secure,
    issuer: request.context.issuer,
    ...amr,
  });
  return { session, setCookies: [setCookie] };
}
