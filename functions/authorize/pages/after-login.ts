import type { ApiResult } from '#shared/http/types';
import { mfaApplies } from '#shared/mfa/policy';
import { markTransactionFirstFactor } from '#shared/store/login-transactions';
import type { UserRecord } from '#shared/store/users';
import { pageError, pageUrl, type PageContext } from './forms.ts';
import { logIn } from './log-in.ts';
import { seeOther, userIsEnrolled } from './mfa-pending.ts';

/**
 * What every hosted first factor (password, passwordless code, magic link) calls once it
 * passed. When the tenant's MFA policy applies to this login (or it asks for the MFA API
 * audience), no session is made yet: the transaction remembers whose first factor passed
 * (bound to this browser by the transaction's cookie) and the browser goes on to a challenge
 * (the user has an active factor) or to enrolment (none yet); the MFA pages make the session,
 * with `amr: ["mfa"]`, once the second factor passed. Otherwise the user is logged in now.
 */
export async function afterFirstFactor(page: PageContext, user: UserRecord, connection: string): Promise<ApiResult> {
  const { request, transaction } = page;
  if (!mfaApplies(request.tenant, connection, transaction.audience, request.context.issuer)) return logIn(page, user, connection);
  const recorded = await markTransactionFirstFactor(transaction.id, { user_id: user.user_id, connection, at: Math.floor(Date.now() / 1000) });
  if (!recorded) throw pageError(400, 'invalid_request', 'This login page has expired. Go back to the application and sign in again.');
  const enrolled = await userIsEnrolled(user.user_id);
  return seeOther(pageUrl(enrolled ? '/u/mfa-challenge' : '/u/mfa-enrollment', page.state));
}
