import type { ApiResult } from '#shared/http/types';
import { createSession } from '#shared/store/sessions';
import type { UserRecord } from '#shared/store/users';
import { completeAuthorization } from '../transaction.ts';
import type { PageContext } from './forms.ts';

/**
 * After a successful login or signup: a new SSO session whose `auth_time` is now, then the
 * authorization response to the client, carrying the session cookie.
 */
export async function logIn(page: PageContext, user: UserRecord, connection: string): Promise<ApiResult> {
  const { session, setCookie } = await createSession({
    tenant: page.request.tenant,
    userId: user.user_id,
    connection,
    authTime: Math.floor(Date.now() / 1000),
    secure: page.secure,
  });
  return completeAuthorization(page.request, page.transaction, session, { setCookies: [setCookie], freshLogin: true });
}
