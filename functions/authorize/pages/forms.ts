import { methodNotAllowed, OAuthError } from '#shared/errors';
import { parseBody } from '#shared/http/body';
import { isSecureIssuer, withCookies } from '#shared/http/cookies';
import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult, Params } from '#shared/http/types';
import { csrfFieldName, csrfToken, csrfValid } from '#shared/html/csrf';
import { html, type SafeHtml } from '#shared/html/escape';
import { renderPage, tenantDisplayName } from '#shared/html/page';
import { cspSourceOf } from '#shared/http/origins';
import type { ClientRecord } from '#shared/tenant/model';
import { loadTransaction, type AuthorizationTransaction } from '../transaction.ts';

/**
 * What every hosted page (/u/login, /u/signup, /u/consent) shares: the transaction named by
 * `?state=`, the CSRF check of its form, and the markup of an accessible form (a `<label for>`
 * for every field, errors in a `role="alert"` element, autocomplete hints).
 */
export interface PageContext {
  readonly request: EndpointRequest;
  readonly transaction: AuthorizationTransaction;
  readonly client: ClientRecord;
  /** The transaction id, which the pages carry as `state` (as Auth0's Universal Login does). */
  readonly state: string;
  readonly tenantName: string;
  /** Whether cookies must be Secure: the request's public URL is HTTPS. */
  readonly secure: boolean;
}

export const tenantNameOf = (request: EndpointRequest) => tenantDisplayName(request.tenant);

/** A 4xx rendered as the hosted error page by the endpoint (errorFormat `html`). */
export const pageError = (status: number, error: string, description: string) => new OAuthError(status, error, description);

const expiredTransaction = () =>
  pageError(400, 'invalid_request', 'This login page has expired or was opened in another browser. Go back to the application and sign in again.');

/** Loads the page's transaction: a missing, expired or foreign one is a 400 error page. */
export async function pageContext(request: EndpointRequest): Promise<PageContext> {
  const method = request.event.httpMethod;
  if (method !== 'GET' && method !== 'POST') throw methodNotAllowed(`Method ${method} not allowed`, { headers: { Allow: 'GET, POST' } });
  const values = request.event.multiValueQueryStringParameters?.state ?? [];
  const state = request.event.queryStringParameters?.state;
  if (!state || values.length > 1 || state.length > 256) throw expiredTransaction();
  const transaction = await loadTransaction(request, state);
  if (!transaction) throw expiredTransaction();
  const client = request.tenant.clients.get(transaction.client_id);
  if (!client) throw expiredTransaction();
  return { request, transaction, client, state, tenantName: tenantNameOf(request), secure: isSecureIssuer(request.context.issuer) };
}

/**
 * The submitted form, once its CSRF token matches the browser's cookie; a form without it is
 * a 403 error page and nothing happens. A hidden `state` must name the page's transaction.
 */
export function submittedForm(page: PageContext): Params {
  const params = parseBody(page.request.event);
  if (!csrfValid(page.request.event, params)) {
    throw pageError(403, 'invalid_request', 'This form could not be verified. Go back to the application and sign in again.');
  }
  if (params.state !== undefined && params.state !== page.state) throw expiredTransaction();
  return params;
}

/** The page's own URL (relative, so it stays on whatever host served it, custom domains too). */
export const pageUrl = (path: string, state: string) => `${path}?state=${encodeURIComponent(state)}`;

export interface FormPageInput {
  readonly title: string;
  readonly body: (csrf: SafeHtml) => SafeHtml;
  readonly status?: number;
  readonly headers?: Record<string, string>;
}

/** Renders a page with a form: a CSRF token (cookie + hidden field) comes with it. */
export function formPage(page: PageContext, input: FormPageInput): ApiResult {
  const csrf = csrfToken(page.request.event, page.secure);
  const hidden = html`<input type="hidden" name="state" value="${page.state}"><input type="hidden" name="${csrfFieldName}" value="${csrf.token}">`;
  const result = renderPage({
    title: input.title,
    tenantName: page.tenantName,
    clientName: page.client.name,
    body: input.body(hidden),
    // CSP `form-action` also governs where a form submission is redirected (CSP3 §6.3.1,
    // enforced by Chromium): a successful login answers with a redirect to the callback.
    formActions: [cspSourceOf(page.transaction.redirect_uri)].filter((source) => source !== undefined),
    ...(input.status ? { status: input.status } : {}),
    ...(input.headers ? { headers: input.headers } : {}),
  });
  return withCookies(result, [csrf.setCookie]);
}

export interface FieldInput {
  readonly name: string;
  readonly label: string;
  readonly type: 'text' | 'email' | 'password';
  readonly autocomplete: string;
  readonly value?: string;
  /** Points the field at the form's error message for screen readers. */
  readonly invalid?: boolean;
  readonly autofocus?: boolean;
}

/** A labelled input. Password fields never get a value back. */
export function field(input: FieldInput): SafeHtml {
  const id = `field-${input.name}`;
  const value = input.type === 'password' ? undefined : input.value;
  return html`<label for="${id}">${input.label}</label>
<input id="${id}" name="${input.name}" type="${input.type}" autocomplete="${input.autocomplete}"${value ? html` value="${value}"` : ''} required${
    input.type === 'text' || input.type === 'email' ? html` autocapitalize="none" spellcheck="false"` : ''
  }${input.invalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''}${input.autofocus ? html` autofocus` : ''}>`;
}

/** The form's error, announced to screen readers as it appears. */
export const formError = (message: string | SafeHtml | undefined) =>
  message ? html`<div class="error" id="form-error" role="alert">${message}</div>` : html``;
