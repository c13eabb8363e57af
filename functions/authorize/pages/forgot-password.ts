import type { DatabaseConnection } from '#shared/connections/database';
import { isOAuthError } from '#shared/errors';
import { limitByKey } from '#shared/http/keyed-rate-limit';
import type { ApiResult } from '#shared/http/types';
import { html, type SafeHtml } from '#shared/html/escape';
import { requestPasswordReset } from '#shared/users/password-reset';
import { pageFailure } from './failure.ts';
import { field, formError, formPage, pageUrl, submittedForm, type PageContext } from './forms.ts';

/**
 * "Forgot your password?" from the login page (Auth0's reset-password request screen): the
 * user types an email and gets a reset link (shared/users/password-reset.ts), which opens
 * /u/reset-password?ticket=…. It lives at `/u/login?state=…&screen=forgot-password`, inside
 * the login transaction, so it needs no route of its own. The answer is the same whether or
 * not the account exists (no enumeration), and it spends the `change_password` bucket
 * (per IP and email) as /dbconnections/change_password does, so it cannot flood a mailbox.
 */
export const forgotPasswordScreen = 'forgot-password';

export const forgotPasswordUrl = (state: string) => `${pageUrl('/u/login', state)}&screen=${forgotPasswordScreen}`;

export async function forgotPasswordPage(page: PageContext, connection: DatabaseConnection): Promise<ApiResult> {
  const { request } = page;
  if (request.event.httpMethod === 'GET') {
    const hint = page.transaction.login_hint;
    return forgotPasswordForm(page, { email: hint?.includes('@') ? hint : undefined });
  }
  const form = submittedForm(page);
  const email = form.email?.trim() ?? '';
  if (!email.includes('@') || email.length > 320) return forgotPasswordForm(page, { email, status: 400, error: 'Enter your email address.' });
  let headers: Record<string, string>;
  try {
    headers = await limitByKey(request.tenant, 'change_password', `${request.context.clientIp}\n${email.toLowerCase()}`);
  } catch (error) {
    if (!isOAuthError(error)) throw error;
    return forgotPasswordForm(page, { email, ...pageFailure(error) });
  }
  await requestPasswordReset({ tenant: request.tenant, connection, email, issuer: request.context.issuer, clientId: page.client.client_id });
  return formPage(page, {
    title: 'Check your email',
    headers,
    body: () => html`<p class="notice" role="status">If an account exists for <strong>${email}</strong>, we've sent it an email with a link to reset your password.</p>
<p class="links"><a href="${pageUrl('/u/login', page.state)}">Back to log in</a></p>`,
  });
}

export interface ForgotPasswordFormState {
  readonly email?: string | undefined;
  readonly error?: string | SafeHtml;
  readonly status?: number;
  readonly headers?: Record<string, string>;
}

/** The request form: one `email` field, as Auth0's reset-password request screen. */
export function forgotPasswordForm(page: PageContext, state: ForgotPasswordFormState): ApiResult {
  return formPage(page, {
    title: 'Forgot your password?',
    ...(state.status ? { status: state.status } : {}),
    ...(state.headers ? { headers: state.headers } : {}),
    body: (hidden) => html`${formError(state.error)}
<p>Enter your email address and we will send you a link to reset your password.</p>
<form method="post" action="${forgotPasswordUrl(page.state)}">
${hidden}
${field({ name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', value: state.email, invalid: state.error !== undefined, autofocus: true })}
<button type="submit">Continue</button>
</form>
<p class="links"><a href="${pageUrl('/u/login', page.state)}">Back to log in</a></p>`,
  });
}
