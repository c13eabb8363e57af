import { isOAuthError, type OAuthError } from '#shared/errors';
import type { ApiResult } from '#shared/http/types';
import { enabledFactors } from '#shared/mfa/policy';
import { newRecoveryCode, normalizeRecoveryCode, recoveryCodeDigest } from '#shared/mfa/recovery-codes';
import { listAuthenticators, newAuthenticatorId, putAuthenticator } from '#shared/store/authenticators';
import { markTransactionLogin } from '#shared/store/login-transactions';
import { currentSession } from '#shared/store/sessions';
import { completeAuthorization } from '../transaction.ts';
import { pageError, type PageContext } from './forms.ts';
import { establishSession, logIn } from './log-in.ts';
import { recoveryCodePage, type MfaPath } from './mfa-forms.ts';
import type { PendingLogin } from './mfa-pending.ts';

/**
 * The end of the hosted MFA pages: the second factor passed, so the session is made with
 * `amr: ["mfa"]` (OIDC Core §2) and the application answered. When there is a new recovery
 * code to show (the first enrolment, or a recovery code just used up), the session is made
 * first and the code shown once; its Continue button then answers the application from that
 * session, which the transaction names as logged in for it (markTransactionLogin).
 */
export const mfaAmr = ['mfa'] as const;

export function finishMfa(page: PageContext, pending: PendingLogin): Promise<ApiResult> {
  return logIn(page, pending.user, pending.connection, { amr: mfaAmr });
}

export async function finishWithRecoveryCode(page: PageContext, path: MfaPath, pending: PendingLogin, code: string): Promise<ApiResult> {
  const { session, setCookies } = await establishSession(page, pending.user, pending.connection, { amr: mfaAmr });
  await markTransactionLogin(page.transaction.id, session.sid);
  return recoveryCodePage(page, path, code, setCookies);
}

/**
 * After a first enrolment: the user's recovery code (when the tenant enables the factor and
 * the user has no active one), stored as its digest only and shown once; else finish now.
 */
export async function finishEnrolment(page: PageContext, path: MfaPath, pending: PendingLogin): Promise<ApiResult> {
  const { tenant } = page.request;
  const userId = pending.user.user_id;
  if (!enabledFactors(tenant).includes('recovery-code')) return finishMfa(page, pending);
  if ((await listAuthenticators(userId)).some((a) => a.kind === 'recovery-code' && a.active)) return finishMfa(page, pending);
  const code = newRecoveryCode();
  await putAuthenticator({
    id: newAuthenticatorId('recovery-code'),
    user_id: userId,
    kind: 'recovery-code',
    active: true,
    created_at: new Date().toISOString(),
    confirmed_at: new Date().toISOString(),
    code_digest: recoveryCodeDigest(normalizeRecoveryCode(code) ?? code),
  });
  return finishWithRecoveryCode(page, path, pending, code);
}

/** The Continue button under a recovery code: only the session the MFA page just made for this transaction may press it. */
export async function continueAfterMfa(page: PageContext): Promise<ApiResult> {
  const session = await currentSession(page.request.event, page.request.tenant);
  if (!session || !session.amr?.includes('mfa') || session.sid !== page.transaction.login_sid) {
    throw pageError(400, 'invalid_request', 'This login has already been completed or has expired. Go back to the application and try again.');
  }
  return completeAuthorization(page.request, page.transaction, session);
}

/**
 * A refused code check that the page shows on its form (4xx: too many attempts is 429 with its
 * Retry-After); anything else is rethrown.
 */
export function shownFailure(error: unknown): { status: number; error: string; headers: Record<string, string> } {
  if (!isOAuthError(error) || error.statusCode >= 500 || error.statusCode < 400) throw error;
  const e = error as OAuthError;
  return { status: e.statusCode, error: e.description, headers: e.headers };
}
