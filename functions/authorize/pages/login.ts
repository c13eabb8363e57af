import { isOAuthError } from '#shared/errors';
import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';
import { passwordLogin } from '#shared/login/password-login';
import { pageConnection } from './connection.ts';
import { pageFailure } from './failure.ts';
import { afterFirstFactor } from './after-login.ts';
import { forgotPasswordPage, forgotPasswordScreen } from './forgot-password.ts';
import { pageContext, submittedForm } from './forms.ts';
import { loginForm } from './login-form.ts';

/**
 * The hosted /u/login page (GET renders, POST submits). Its fields keep Auth0 Universal
 * Login's names (`username`, `password`, `state`) so automation written for Auth0 works.
 * A failed login shows the form again with the reason and the username, never the password.
 * `&screen=forgot-password` is the "Forgot your password?" screen of the same transaction.
 */
export async function loginPage(request: EndpointRequest): Promise<ApiResult> {
  const page = await pageContext(request);
  const connection = pageConnection(page);
  if (request.event.queryStringParameters?.screen === forgotPasswordScreen) return forgotPasswordPage(page, connection);
  if (request.event.httpMethod === 'GET') return loginForm(page, connection, { username: page.transaction.login_hint });

  const form = submittedForm(page);
  const username = form.username ?? '';
  const password = form.password ?? '';
  if (!username.trim() || !password) {
    return loginForm(page, connection, { username, status: 400, error: 'Enter your email address or username and your password.' });
  }
  let user;
  try {
    user = await passwordLogin({
      tenant: request.tenant,
      connection,
      identifier: username,
      password,
      ip: request.context.clientIp,
      clientId: page.client.client_id,
      issuer: request.context.issuer,
    });
  } catch (error) {
    if (!isOAuthError(error)) throw error;
    return loginForm(page, connection, { username, ...pageFailure(error) });
  }
  return afterFirstFactor(page, user, connection.name);
}
