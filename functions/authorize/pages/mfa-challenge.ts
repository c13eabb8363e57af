import { safeEqual } from '#shared/crypto/digest';
import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult, Params } from '#shared/http/types';
import { html, type SafeHtml } from '#shared/html/escape';
import { newRecoveryCode, normalizeRecoveryCode, recoveryCodeDigest } from '#shared/mfa/recovery-codes';
import { verifyTotp, withMfaAttempt } from '#shared/mfa/verify-otp';
import { replaceRecoveryCode, type AuthenticatorRecord } from '#shared/store/authenticators';
import { pageContext, pageError, pageUrl, submittedForm, type PageContext } from './forms.ts';
import { continueAfterMfa, finishMfa, finishWithRecoveryCode, shownFailure } from './mfa-finish.ts';
import { choiceForms, mfaForm } from './mfa-forms.ts';
import { checkOobCode, codeInput, oobCodeForm, type Failure } from './mfa-oob-form.ts';
import { pendingLogin, seeOther, usableAuthenticators, userIsEnrolled, type PendingLogin } from './mfa-pending.ts';
import { maskedAddress, sendPageCode } from './mfa-send.ts';

/**
 * The hosted /u/mfa-challenge page (GET renders, POST submits): a user whose first factor
 * passed proves the second with one of their active factors — the `code` of their
 * authenticator app (±1 step, a code once used is refused), a code sent by SMS or email, or a
 * recovery code (used up and replaced by a new one, shown once, reference §3.8). Other factors
 * are offered as buttons. Every code takes a token of the user's MFA failure bucket before it
 * is checked, given back when right (withMfaAttempt; Auth0: 10, refilled 1 per 6 minutes,
 * §16.3); an empty bucket shows 429 on the form.
 */
const path = '/u/mfa-challenge';

interface Challenge {
  readonly page: PageContext;
  readonly pending: PendingLogin;
  readonly factors: readonly AuthenticatorRecord[];
}

export async function mfaChallengePage(request: EndpointRequest): Promise<ApiResult> {
  const page = await pageContext(request);
  const form = request.event.httpMethod === 'POST' ? submittedForm(page) : undefined;
  if (form?.action === 'continue') return continueAfterMfa(page);
  const pending = await pendingLogin(page);
  const factors = ordered(await usableAuthenticators(request.tenant, pending.user.user_id));
  if (factors.length === 0) {
    // Enrolled only with factors the tenant disabled: no new enrolment (shared/mfa/enrolled.ts), as Auth0.
    if (await userIsEnrolled(pending.user.user_id)) throw pageError(403, 'access_denied', 'No confirmed authenticators for the enabled factors. Contact the administrator.');
    return seeOther(pageUrl('/u/mfa-enrollment', page.state));
  }
  const challenge: Challenge = { page, pending, factors };
  if (!form) return show(challenge, factors[0]!);

  switch (form.action) {
    case 'switch': {
      const chosen = factors.find((f) => f.id === form.authenticator_id);
      return show(challenge, chosen ?? factors[0]!);
    }
    case 'verify-otp':
      return checkOtp(challenge, form);
    case 'send':
      return send(challenge, form);
    case 'verify-oob':
      return checkOob(challenge, form);
    case 'verify-recovery':
      return checkRecoveryCode(challenge, form);
    default:
      return show(challenge, factors[0]!);
  }
}

/** Authenticator app first, then SMS, email; a recovery code last (it is the way back in, not the usual way). */
const rank: Record<AuthenticatorRecord['kind'], number> = { otp: 0, sms: 1, email: 2, 'recovery-code': 3 };
const ordered = (factors: readonly AuthenticatorRecord[]) => [...factors].sort((a, b) => rank[a.kind] - rank[b.kind] || a.created_at.localeCompare(b.created_at));

function label(factor: AuthenticatorRecord): string {
  if (factor.kind === 'otp') return 'Authenticator app';
  if (factor.kind === 'recovery-code') return 'Use a recovery code';
  return `${factor.kind === 'sms' ? 'Text message to' : 'Email to'} ${maskedAddress(factor)}`;
}

/** The other factors as buttons; one button per kind is enough for the app (any of its seeds answers a code). */
function others(challenge: Challenge, current: AuthenticatorRecord): (csrf: SafeHtml) => SafeHtml {
  const seen = new Set<string>();
  const choices = challenge.factors
    .filter((f) => f.id !== current.id && !(f.kind === current.kind && (f.kind === 'otp' || f.kind === 'recovery-code')))
    .filter((f) => (f.kind === 'otp' || f.kind === 'recovery-code' ? !seen.has(f.kind) && seen.add(f.kind) : true))
    .map((f) => ({ name: 'authenticator_id', value: f.id, label: label(f) }));
  return choiceForms(challenge.page, path, 'Other ways to verify', 'switch', choices);
}

function show(challenge: Challenge, factor: AuthenticatorRecord, failure?: Failure): ApiResult {
  const { page } = challenge;
  const more = others(challenge, factor);
  if (factor.kind === 'otp') {
    return mfaForm(page, path, {
      title: 'Verify your identity',
      intro: html`<p>Open your authenticator app and enter the code it shows for this account.</p>`,
      codeLabel: '6-digit code',
      action: 'verify-otp',
      button: 'Continue',
      ...(failure ?? {}),
      more,
    });
  }
  if (factor.kind === 'recovery-code') {
    return mfaForm(page, path, {
      title: 'Use a recovery code',
      intro: html`<p>Enter the recovery code you saved when you set up your account. It works once; you will get a new one.</p>`,
      codeLabel: 'Recovery code',
      numeric: false,
      action: 'verify-recovery',
      button: 'Continue',
      hidden: { authenticator_id: factor.id },
      ...(failure ?? {}),
      more,
    });
  }
  return mfaForm(page, path, {
    title: 'Verify your identity',
    intro: html`<p>We will send a 6-digit code ${factor.kind === 'sms' ? 'by text message' : 'by email'} to <strong>${maskedAddress(factor)}</strong>.</p>`,
    action: 'send',
    button: 'Send code',
    hidden: { authenticator_id: factor.id },
    ...(failure ?? {}),
    more,
  });
}

async function checkOtp(challenge: Challenge, form: Params): Promise<ApiResult> {
  const { page, pending, factors } = challenge;
  const { tenant } = page.request;
  const userId = pending.user.user_id;
  const otp = factors.find((f) => f.kind === 'otp');
  if (!otp) return show(challenge, factors[0]!);
  const code = codeInput(form.code);
  try {
    // verifyTotp takes a failure token first; a wrong, reused or malformed code keeps it spent.
    const matched = await verifyTotp({ tenant, userId, candidates: factors.filter((f) => f.kind === 'otp'), code: code ?? '' });
    if (matched) return finishMfa(page, pending);
  } catch (error) {
    return show(challenge, otp, shownFailure(error));
  }
  return show(challenge, otp, { status: 400, error: 'That code is not right, or was used already. Enter the code the app shows now.', headers: {} });
}

async function send(challenge: Challenge, form: Params): Promise<ApiResult> {
  const factor = challenge.factors.find((f) => f.id === form.authenticator_id && (f.kind === 'sms' || f.kind === 'email'));
  if (!factor) return show(challenge, challenge.factors[0]!);
  let oobCode;
  try {
    oobCode = await sendPageCode(challenge.page, factor, false);
  } catch (error) {
    return show(challenge, factor, shownFailure(error));
  }
  return oobCodeForm(challenge.page, path, factor, oobCode, undefined, others(challenge, factor));
}

async function checkOob(challenge: Challenge, form: Params): Promise<ApiResult> {
  const factor = challenge.factors.find((f) => f.id === form.authenticator_id) ?? challenge.factors[0]!;
  const result = await checkOobCode(challenge.page, path, challenge.pending, form, { enrollment: false, more: others(challenge, factor) });
  if (result.ok) return finishMfa(challenge.page, challenge.pending);
  return result.answer ?? show(challenge, factor, { status: 400, error: 'This code has expired or was used already. Send a new one.', headers: {} });
}

async function checkRecoveryCode(challenge: Challenge, form: Params): Promise<ApiResult> {
  const { page, pending, factors } = challenge;
  const { tenant } = page.request;
  const userId = pending.user.user_id;
  const recovery = factors.filter((f) => f.kind === 'recovery-code' && f.code_digest);
  if (recovery.length === 0) return show(challenge, factors[0]!);
  const wrong = (): Failure => ({ status: 400, error: 'That recovery code is not right.', headers: {} });
  try {
    const fresh = newRecoveryCode();
    const replaced = await withMfaAttempt(tenant, userId, async () => {
      const normalized = normalizeRecoveryCode((form.code ?? '').slice(0, 128));
      const digest = normalized === undefined ? undefined : recoveryCodeDigest(normalized);
      const matched = digest === undefined ? undefined : recovery.find((f) => safeEqual(f.code_digest!, digest));
      // One conditional write: of two submissions of one code, one wins; the other is wrong.
      return matched !== undefined && (await replaceRecoveryCode(userId, matched.id, matched.code_digest!, recoveryCodeDigest(normalizeRecoveryCode(fresh) ?? fresh)));
    });
    if (replaced) return finishWithRecoveryCode(page, path, pending, fresh);
  } catch (error) {
    return show(challenge, recovery[0]!, shownFailure(error));
  }
  return show(challenge, recovery[0]!, wrong());
}
