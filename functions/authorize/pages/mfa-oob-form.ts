import type { ApiResult, Params } from '#shared/http/types';
import { html, type SafeHtml } from '#shared/html/escape';
import { enabledFactors } from '#shared/mfa/policy';
import { withMfaAttempt } from '#shared/mfa/verify-otp';
import { getAuthenticator, isAuthenticatorId, type AuthenticatorRecord } from '#shared/store/authenticators';
import { redeemOobChallenge } from '#shared/store/oob-challenges';
import type { PageContext } from './forms.ts';
import { shownFailure } from './mfa-finish.ts';
import { mfaForm, type MfaPath } from './mfa-forms.ts';
import type { PendingLogin } from './mfa-pending.ts';
import { maskedAddress } from './mfa-send.ts';

/**
 * The "enter the code we sent" step of SMS and email, shared by enrolment and challenge. The
 * form carries the challenge's `oob_code` and the authenticator id back; neither is trusted
 * for the user: the authenticator is read under the pending user's key, and the redeemed
 * challenge must name that user and that authenticator.
 */
export type Failure = ReturnType<typeof shownFailure>;

/** A submitted one-time code, spaces dropped; undefined when it cannot be one (6 digits). */
export function codeInput(raw: string | undefined): string | undefined {
  const code = (raw ?? '').replace(/\s/g, '');
  return /^\d{6}$/.test(code) ? code : undefined;
}

export function oobCodeForm(page: PageContext, path: MfaPath, authenticator: AuthenticatorRecord, oobCode: string, failure?: Failure, more?: (csrf: SafeHtml) => SafeHtml): ApiResult {
  const where = authenticator.kind === 'sms' ? 'by text message' : 'by email';
  return mfaForm(page, path, {
    title: 'Enter your code',
    intro: html`<p>We sent a 6-digit code ${where} to <strong>${maskedAddress(authenticator)}</strong>. It is valid for 5 minutes.</p>`,
    codeLabel: 'Code',
    action: 'verify-oob',
    button: 'Continue',
    hidden: { authenticator_id: authenticator.id, oob_code: oobCode },
    ...(failure ?? {}),
    ...(more ? { more } : {}),
  });
}

export type OobCheck = { readonly ok: true; readonly authenticator: AuthenticatorRecord } | { readonly ok: false; readonly answer?: ApiResult };

/**
 * Checks the code of an SMS or email challenge the page sent (enrolment: of the pending
 * enrolment; challenge: of an active factor). Each code takes a token of the user's MFA
 * failure bucket before it is checked (withMfaAttempt: given back unless wrong); a wrong code
 * re-renders the form (400), an empty bucket shows 429. `answer` is absent when
 * the challenge is gone (expired, used, three wrong codes): the caller starts over.
 */
export async function checkOobCode(page: PageContext, path: MfaPath, pending: PendingLogin, form: Params, expect: { enrollment: boolean; more?: (csrf: SafeHtml) => SafeHtml }): Promise<OobCheck> {
  const { tenant } = page.request;
  const userId = pending.user.user_id;
  const id = form.authenticator_id;
  const authenticator = isAuthenticatorId(id) ? await getAuthenticator(userId, id) : undefined;
  const oobCode = form.oob_code ?? '';
  if (
    !authenticator ||
    (authenticator.kind !== 'sms' && authenticator.kind !== 'email') ||
    authenticator.active === expect.enrollment ||
    !enabledFactors(tenant).includes(authenticator.kind) ||
    !/^[A-Za-z0-9_-]{1,128}$/.test(oobCode)
  ) {
    return { ok: false };
  }
  const again = (failure: Failure) => ({ ok: false as const, answer: oobCodeForm(page, path, authenticator, oobCode, failure, expect.more) });
  try {
    const code = codeInput(form.code);
    const result = await withMfaAttempt(
      tenant,
      userId,
      async () => (code === undefined ? ({ ok: false, reason: 'wrong' } as const) : redeemOobChallenge({ oobCode, bindingCode: code, clientId: page.client.client_id, userId })),
      // Only a wrong (or malformed) code uses the token up; a dead challenge checked nothing.
      { failed: (r) => !r.ok && r.reason === 'wrong' },
    );
    if (code === undefined) return again({ status: 400, error: 'Enter the 6-digit code we sent.', headers: {} });
    if (result.ok) {
      const c = result.challenge;
      if (c.user_id !== userId || c.authenticator_id !== authenticator.id || c.enrollment !== expect.enrollment) return { ok: false };
      return { ok: true, authenticator };
    }
    if (result.reason !== 'wrong') return { ok: false };
    return again({ status: 400, error: 'That code is not right. Check the code we sent and try again.', headers: {} });
  } catch (error) {
    return again(shownFailure(error));
  }
}
