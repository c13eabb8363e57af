import { html } from '#shared/html/escape';
import { renderPage } from '#shared/html/page';
import { httpOrigin } from '#shared/http/origins';
import type { ApiResult } from '#shared/http/types';

/** The page shown after a logout that has nowhere to go back to (no `returnTo`, no application URL). */
export function loggedOutPage(tenantName: string, headers: Record<string, string> = {}): ApiResult {
  return renderPage({
    title: 'You have been logged out',
    tenantName,
    body: html`<p class="notice" role="status">You have been logged out. You can close this window.</p>`,
    headers,
  });
}

/**
 * "Log out of <tenant>?" (RP-Initiated Logout 1.0 §2): shown when a logout request does not
 * prove that it comes from an application of this user's session. The form posts back to
 * /oidc/logout with the original parameters and the CSRF token (see confirmation.ts).
 */
export function confirmLogoutPage(input: {
  tenantName: string;
  clientName: string | undefined;
  fields: Readonly<Record<string, string | undefined>>;
  csrfToken: string;
  headers: Record<string, string>;
  /** Where the browser goes once it confirms: CSP `form-action` must allow that redirect. */
  destination: string | undefined;
}): ApiResult {
  const hidden = Object.entries(input.fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  const destinationOrigin = input.destination === undefined ? undefined : httpOrigin(input.destination);
  return renderPage({
    title: 'Log out?',
    tenantName: input.tenantName,
    clientName: input.clientName,
    body: html`<p>Do you want to log out of ${input.tenantName}?</p>
<form method="post" action="/oidc/logout">
${hidden}
<input type="hidden" name="csrf_token" value="${input.csrfToken}">
<button type="submit">Log out</button>
</form>`,
    headers: input.headers,
    // CSP `form-action` also governs the redirect after the POST (Chromium enforces it).
    formActions: destinationOrigin ? [destinationOrigin] : [],
  });
}
