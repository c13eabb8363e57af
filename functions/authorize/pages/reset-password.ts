import { methodNotAllowed, OAuthError } from '#shared/errors';
import { html } from '#shared/html/escape';
import { renderPage, tenantDisplayName } from '#shared/html/page';
import { parseBody } from '#shared/http/body';
import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';
import { formatted, type PolicyCheck } from '#shared/users/password-policy';
import { openResetTicket, resetPasswordWithTicket } from '#shared/users/password-reset';

/**
 * The hosted /u/reset-password page that a change_password email links to
 * (`?ticket=…`). GET shows a form with one `password` field, as Auth0's page has (automation
 * written for Auth0 fills `password`); POST sets the password. The ticket rides in a hidden
 * field: it is 256 random bits only the mailbox knows, so it is also the form's CSRF token.
 * A weak password shows the policy again (400) and keeps the ticket usable; an unknown, used
 * or expired ticket is a 400 error page.
 */
const invalidTicket = () =>
  new OAuthError(400, 'invalid_ticket', 'This password reset link is invalid, has expired or has already been used. Ask for a new one.');

export async function resetPasswordPage(request: EndpointRequest): Promise<ApiResult> {
  const method = request.event.httpMethod;
  if (method === 'GET') return show(request);
  if (method === 'POST') return submit(request);
  throw methodNotAllowed(`Method ${method} not allowed`, { headers: { Allow: 'GET, POST' } });
}

async function show(request: EndpointRequest): Promise<ApiResult> {
  const values = request.event.multiValueQueryStringParameters?.ticket ?? [];
  const ticket = request.event.queryStringParameters?.ticket;
  if (!ticket || values.length > 1) throw invalidTicket();
  const open = await openResetTicket(request.tenant, ticket);
  if (!open) throw invalidTicket();
  return form(request, ticket, 200);
}

async function submit(request: EndpointRequest): Promise<ApiResult> {
  const params = parseBody(request.event);
  const ticket = params.ticket;
  if (!ticket) throw invalidTicket();
  const result = await resetPasswordWithTicket(request.tenant, ticket, params.password ?? '');
  if (!result.ok && result.reason === 'invalid_ticket') throw invalidTicket();
  if (!result.ok) return form(request, ticket, 400, result.reason === 'weak_password' ? result.check : undefined);
  return renderPage({
    title: 'Password changed',
    tenantName: tenantName(request),
    body: html`<div class="notice" role="status"><p>Your password has been changed. You can now log in with your new password.</p></div>`,
  });
}

const tenantName = (request: EndpointRequest) => tenantDisplayName(request.tenant);

function form(request: EndpointRequest, ticket: string, status: number, failed?: PolicyCheck): ApiResult {
  return renderPage({
    title: 'Change your password',
    tenantName: tenantName(request),
    status,
    body: html`${failed ? rules(failed) : ''}
<form method="post" novalidate>
<input type="hidden" name="ticket" value="${ticket}">
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required autofocus${failed ? html` aria-invalid="true" aria-describedby="password-error"` : ''}>
<button type="submit">Reset password</button>
</form>`,
  });
}

/** The rules the password missed, in words (not only colour), as the alert the field points to. */
function rules(check: PolicyCheck) {
  return html`<div class="error" role="alert" id="password-error"><p>Your password is too weak. It must meet these rules:</p>
<ul>${check.rules.map(
    (rule) =>
      html`<li>${formatted(rule)} <em>(${rule.verified ? 'met' : 'not met'})</em>${
        rule.items ? html`<ul>${rule.items.map((item) => html`<li>${item.message} <em>(${item.verified ? 'met' : 'not met'})</em></li>`)}</ul>` : ''
      }</li>`,
  )}</ul></div>`;
}
