import type { DatabaseConnection } from '#shared/connections/database';
import { passwordlessConnectionsFor } from '#shared/connections/passwordless';
import type { ApiResult } from '#shared/http/types';
import { html, type SafeHtml } from '#shared/html/escape';
import { forgotPasswordUrl } from './forgot-password.ts';
import { field, formError, formPage, pageUrl, type PageContext } from './forms.ts';
import { passwordlessLinkText, passwordlessPageUrl } from './login-passwordless.ts';

export interface LoginFormState {
  readonly username?: string | undefined;
  readonly error?: string | SafeHtml;
  readonly status?: number;
  readonly headers?: Record<string, string>;
}

/** The login form: Auth0 Universal Login's field names, the username kept, the password never. */
export function loginForm(page: PageContext, connection: DatabaseConnection, state: LoginFormState): ApiResult {
  const invalid = state.error !== undefined;
  return formPage(page, {
    title: 'Log in',
    ...(state.status ? { status: state.status } : {}),
    ...(state.headers ? { headers: state.headers } : {}),
    body: (hidden) => html`${formError(state.error)}
<form method="post" action="${pageUrl('/u/login', page.state)}">
${hidden}
${field({ name: 'username', label: 'Email address or username', type: 'text', autocomplete: 'username', value: state.username, invalid, autofocus: !state.username })}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', invalid, autofocus: !!state.username })}
<button type="submit">Continue</button>
</form>
<p class="links"><a href="${forgotPasswordUrl(page.state)}">Forgot your password?</a></p>
${connection.disableSignup ? '' : html`<p class="links">Don't have an account? <a href="${pageUrl('/u/signup', page.state)}">Sign up</a></p>`}
${passwordlessConnectionsFor(page.request.tenant, page.client.client_id).map((c) => html`<p class="links"><a href="${passwordlessPageUrl(page.state, c.name)}">${passwordlessLinkText(c)}</a></p>`)}`,
  });
}
