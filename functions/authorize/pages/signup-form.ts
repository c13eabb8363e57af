import type { DatabaseConnection } from '#shared/connections/database';
import type { ApiResult } from '#shared/http/types';
import { html, type SafeHtml } from '#shared/html/escape';
import { field, formError, formPage, pageUrl, type PageContext } from './forms.ts';

export interface SignupFormState {
  readonly email?: string | undefined;
  readonly username?: string | undefined;
  readonly error?: string | SafeHtml;
  readonly status?: number;
  readonly headers?: Record<string, string>;
}

/** The signup form: `email`, `username` when the connection requires one, `password` (never echoed). */
export function signupForm(page: PageContext, connection: DatabaseConnection, state: SignupFormState): ApiResult {
  const invalid = state.error !== undefined;
  return formPage(page, {
    title: 'Sign up',
    ...(state.status ? { status: state.status } : {}),
    ...(state.headers ? { headers: state.headers } : {}),
    body: (hidden) => html`${formError(state.error)}
<form method="post" action="${pageUrl('/u/signup', page.state)}">
${hidden}
${field({ name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', value: state.email, invalid, autofocus: true })}
${connection.requiresUsername ? field({ name: 'username', label: 'Username', type: 'text', autocomplete: 'username', value: state.username, invalid }) : ''}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', invalid })}
<button type="submit">Continue</button>
</form>
<p class="links">Already have an account? <a href="${pageUrl('/u/login', page.state)}">Log in</a></p>`,
  });
}
