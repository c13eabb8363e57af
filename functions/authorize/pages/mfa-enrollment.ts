import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult, Params } from '#shared/http/types';
import { html } from '#shared/html/escape';
import { qrSvgDataUri } from '#shared/mfa/qr';
import { createEnrolment, deleteAbandonedEnrolments, type Enrolment, type NewFactor } from '#shared/mfa/enrolment';
import { otpauthUri } from '#shared/mfa/totp';
import { openTotpSecret, verifyTotp } from '#shared/mfa/verify-otp';
import {
  activateAuthenticator,
  getAuthenticator,
  isAuthenticatorId,
  listAuthenticators,
  type AuthenticatorKind,
  type AuthenticatorRecord,
} from '#shared/store/authenticators';
import { pageContext, pageError, pageUrl, submittedForm, type PageContext } from './forms.ts';
import { continueAfterMfa, finishEnrolment, shownFailure } from './mfa-finish.ts';
import { choiceForms, mfaForm } from './mfa-forms.ts';
import { checkOobCode, codeInput, oobCodeForm } from './mfa-oob-form.ts';
import { enrollableFactors, pendingLogin, seeOther, userIsEnrolled, type PendingLogin } from './mfa-pending.ts';
import { sendPageCode } from './mfa-send.ts';

/**
 * The hosted /u/mfa-enrollment page (GET renders, POST submits): a user whose first factor
 * passed and who has no second factor yet sets one up — an authenticator app (TOTP: a QR code
 * of the `otpauth://` URI and the secret as text), a phone (SMS code) or their email (code) —
 * among the factors the tenant enables, and confirms it with a first right `code`. The
 * enrolment is stored inactive and turned active by that code (one conditional write); the
 * user's abandoned enrolments are replaced, so a secret shown to whoever had only the password
 * earlier never becomes the user's factor. A user who has a factor already is sent to the
 * challenge: enrolling another needs the second factor first (reference §8.2).
 */
const path = '/u/mfa-enrollment';

const factorLabels: Record<Exclude<AuthenticatorKind, 'recovery-code'>, string> = {
  otp: 'Authenticator app',
  sms: 'Text message (SMS)',
  email: 'Email',
};

/** E.164 (ITU-T): a plus, a country code not starting with 0, at most 15 digits. */
const e164 = /^\+[1-9]\d{6,14}$/;

export async function mfaEnrollmentPage(request: EndpointRequest): Promise<ApiResult> {
  const page = await pageContext(request);
  if (request.event.httpMethod === 'GET') {
    const pending = await pendingLogin(page);
    if (await userIsEnrolled(pending.user.user_id)) return seeOther(pageUrl('/u/mfa-challenge', page.state));
    const factors = enrollableFactors(request.tenant, pending.user);
    // Say, only email is enabled and this user (an SMS passwordless one) has no email address.
    if (factors.length === 0) throw pageError(403, 'access_denied', 'Your account needs a second factor, but none that it can use is enabled. Contact the administrator.');
    return factors.length === 1 ? startFactor(page, pending, factors[0]!) : chooseFactor(page, pending);
  }

  const form = submittedForm(page);
  if (form.action === 'continue') return continueAfterMfa(page);
  const pending = await pendingLogin(page);
  if (await userIsEnrolled(pending.user.user_id)) return seeOther(pageUrl('/u/mfa-challenge', page.state));
  switch (form.action) {
    case 'choose': {
      const factor = enrollableFactors(request.tenant, pending.user).find((f) => f === form.factor);
      return factor ? startFactor(page, pending, factor) : chooseFactor(page, pending, 'Choose one of the ways below.');
    }
    case 'verify-otp':
      return confirmOtp(page, pending, form);
    case 'send-sms':
      return enrolPhone(page, pending, form);
    case 'verify-oob':
      return confirmOob(page, pending, form);
    default:
      return chooseFactor(page, pending, 'Choose one of the ways below.');
  }
}

function chooseFactor(page: PageContext, pending: PendingLogin, error?: string): ApiResult {
  const factors = enrollableFactors(page.request.tenant, pending.user);
  return mfaForm(page, path, {
    title: 'Secure your account',
    intro: html`<p>Your account needs a second way to prove it is you. Choose one:</p>`,
    action: 'choose',
    button: factorLabels[factors[0] ?? 'otp'],
    hidden: { factor: factors[0] ?? 'otp' },
    ...(error ? { error, status: 400 } : {}),
    more: choiceForms(
      page,
      path,
      'Other ways',
      'choose',
      factors.slice(1).map((f) => ({ name: 'factor', value: f, label: factorLabels[f] })),
    ),
  });
}

/** The first step of a factor: TOTP creates the pending enrolment and shows its secret; SMS asks for the phone; email sends the code. */
async function startFactor(page: PageContext, pending: PendingLogin, factor: Exclude<AuthenticatorKind, 'recovery-code'>): Promise<ApiResult> {
  if (factor === 'sms') return phoneForm(page);
  if (factor === 'otp') {
    const { authenticator, secret } = await newEnrolment(pending, { kind: 'otp' });
    return totpForm(page, pending, authenticator, secret!);
  }
  const { authenticator } = await newEnrolment(pending, { kind: 'email', email: pending.user.email! });
  return sendAndAsk(page, authenticator, () => chooseFactor(page, pending));
}

/**
 * A new pending enrolment. The user has no active factor (checked by the caller), so every
 * inactive authenticator of theirs is an abandoned attempt (this page's or the MFA API's):
 * deleted first, so only the secret shown now can become their factor.
 */
async function newEnrolment(pending: PendingLogin, factor: NewFactor): Promise<Enrolment> {
  const userId = pending.user.user_id;
  // Conditional: an enrolment confirmed meanwhile (the MFA API, another tab) is never deleted.
  await deleteAbandonedEnrolments(userId, await listAuthenticators(userId));
  // The recovery code comes when the enrolment is confirmed (finishEnrolment), active at once.
  return createEnrolment({ userId, factor, withRecoveryCode: false });
}

function totpForm(page: PageContext, pending: PendingLogin, authenticator: AuthenticatorRecord, secret: string, failure?: ReturnType<typeof shownFailure>): ApiResult {
  const account = pending.user.email ?? pending.user.username ?? pending.user.phone_number ?? pending.user.user_id;
  const uri = otpauthUri({ issuer: page.tenantName, account, secret });
  const grouped = secret.match(/.{1,4}/g)?.join(' ') ?? secret;
  return mfaForm(page, path, {
    title: 'Set up your authenticator app',
    intro: html`<p>Scan this QR code with an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password…):</p>
<p class="qr"><img src="${qrSvgDataUri(uri)}" alt="QR code to scan with your authenticator app" width="200" height="200"></p>
<p>Or enter this key in the app by hand:</p>
<p class="notice"><code id="totp-secret" data-secret="${secret}">${grouped}</code></p>`,
    codeLabel: 'Then enter the 6-digit code the app shows',
    action: 'verify-otp',
    button: 'Continue',
    hidden: { authenticator_id: authenticator.id },
    ...(failure ?? {}),
    more: otherFactors(page, pending, 'otp'),
  });
}

async function confirmOtp(page: PageContext, pending: PendingLogin, form: Params): Promise<ApiResult> {
  const { tenant } = page.request;
  const userId = pending.user.user_id;
  const id = form.authenticator_id;
  const authenticator = isAuthenticatorId(id) ? await getAuthenticator(userId, id) : undefined;
  if (!authenticator || authenticator.kind !== 'otp' || authenticator.active || !authenticator.secret_sealed) {
    return chooseFactor(page, pending, 'This setup has expired. Start again.');
  }
  const secret = await openTotpSecret(authenticator);
  const code = codeInput(form.code);
  try {
    // verifyTotp takes a failure token first; a wrong, reused or malformed code keeps it spent.
    const matched = await verifyTotp({ tenant, userId, candidates: [authenticator], code: code ?? '' });
    if (!matched) {
      return totpForm(page, pending, authenticator, secret, { status: 400, error: 'That code is not right. Enter the code the app shows now.', headers: {} });
    }
  } catch (error) {
    return totpForm(page, pending, authenticator, secret, shownFailure(error));
  }
  if (!(await confirmed(userId, authenticator.id))) return chooseFactor(page, pending, 'This setup has expired. Start again.');
  return finishEnrolment(page, path, pending);
}

/**
 * Turns the confirmed enrolment active. A false from the conditional write is fine only when
 * it is active now (another tab or the MFA API confirmed it first); otherwise it was deleted
 * meanwhile (replaced by a newer enrolment), and finishing would make an amr:mfa session for a
 * user with no active factor.
 */
async function confirmed(userId: string, id: string): Promise<boolean> {
  if (await activateAuthenticator(userId, id)) return true;
  return (await getAuthenticator(userId, id))?.active === true;
}

function phoneForm(page: PageContext, value?: string, failure?: ReturnType<typeof shownFailure>): ApiResult {
  return mfaForm(page, path, {
    title: 'Secure your account with your phone',
    intro: html`<p>We will send a code to this phone by text message.</p>`,
    phone: value !== undefined ? { value } : {},
    action: 'send-sms',
    button: 'Send code',
    ...(failure ?? {}),
  });
}

async function enrolPhone(page: PageContext, pending: PendingLogin, form: Params): Promise<ApiResult> {
  if (!enrollableFactors(page.request.tenant, pending.user).includes('sms')) return chooseFactor(page, pending, 'Choose one of the ways below.');
  const phone = (form.phone_number ?? '').replace(/[\s().-]/g, '');
  if (!e164.test(phone)) {
    return phoneForm(page, (form.phone_number ?? '').slice(0, 32), { status: 400, error: 'Enter the phone number with its country code, like +1 555 010 0000.', headers: {} });
  }
  const { authenticator } = await newEnrolment(pending, { kind: 'sms', phoneNumber: phone });
  return sendAndAsk(page, authenticator, (failure) => phoneForm(page, phone, failure));
}

async function sendAndAsk(page: PageContext, authenticator: AuthenticatorRecord, onRefused: (failure: ReturnType<typeof shownFailure>) => ApiResult): Promise<ApiResult> {
  let oobCode;
  try {
    oobCode = await sendPageCode(page, authenticator, true);
  } catch (error) {
    return onRefused(shownFailure(error));
  }
  return oobCodeForm(page, path, authenticator, oobCode);
}

async function confirmOob(page: PageContext, pending: PendingLogin, form: Params): Promise<ApiResult> {
  const result = await checkOobCode(page, path, pending, form, { enrollment: true });
  if (!result.ok) return result.answer ?? chooseFactor(page, pending, 'This code has expired. Start again.');
  if (!(await confirmed(pending.user.user_id, result.authenticator.id))) return chooseFactor(page, pending, 'This setup has expired. Start again.');
  return finishEnrolment(page, path, pending);
}

function otherFactors(page: PageContext, pending: PendingLogin, current: AuthenticatorKind) {
  const others = enrollableFactors(page.request.tenant, pending.user).filter((f) => f !== current);
  return choiceForms(page, path, 'Other ways', 'choose', others.map((f) => ({ name: 'factor', value: f, label: factorLabels[f] })));
}
