import { isOAuthError } from '#shared/errors';
import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';
import { SignupError } from '#shared/users/signup-error';
import { signupUser } from '#shared/users/signup';
import { pageConnection } from './connection.ts';
import { pageFailure } from './failure.ts';
import { afterFirstFactor } from './after-login.ts';
import { pageContext, pageError, submittedForm } from './forms.ts';
import { passwordRules } from './password-rules.ts';
import { signupForm } from './signup-form.ts';

/**
 * The hosted /u/signup page (GET renders, POST submits), with Auth0 Universal Login's field
 * names: `email`, `password`, and `username` when the connection requires one. A new user is
 * logged in at once (a session whose `auth_time` is now). A connection with "Disable Sign
 * Ups" has no signup page at all: 403.
 */
export async function signupPage(request: EndpointRequest): Promise<ApiResult> {
  const page = await pageContext(request);
  const connection = pageConnection(page);
  if (connection.disableSignup) throw pageError(403, 'access_denied', 'Sign ups are disabled for this application.');
  if (request.event.httpMethod === 'GET') {
    const hint = page.transaction.login_hint;
    return signupForm(page, connection, { email: hint?.includes('@') ? hint : undefined });
  }

  const form = submittedForm(page);
  const values = { email: form.email ?? '', username: connection.requiresUsername ? (form.username ?? '') : undefined };
  if (!values.email.trim() || !form.password || (connection.requiresUsername && !values.username?.trim())) {
    const what = connection.requiresUsername ? 'your email address, a username and a password' : 'your email address and a password';
    return signupForm(page, connection, { ...values, status: 400, error: `Enter ${what}.` });
  }
  let user;
  try {
    user = await signupUser({
      tenant: request.tenant,
      connection,
      clientId: page.client.client_id,
      ip: request.context.clientIp,
      email: values.email,
      password: form.password,
      ...(values.username !== undefined ? { username: values.username } : {}),
    });
  } catch (error) {
    if (!isOAuthError(error)) throw error;
    const failure = pageFailure(error);
    const rules = error instanceof SignupError && error.code === 'invalid_password' ? passwordRules(error.body) : undefined;
    return signupForm(page, connection, { ...values, ...failure, ...(rules ? { error: rules } : {}) });
  }
  return afterFirstFactor(page, user, connection.name);
}
