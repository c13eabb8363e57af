import { databaseConnectionsFor } from '#shared/connections/database';
import { passwordlessConnection, passwordlessConnectionsFor, passwordlessIdentifier, type PasswordlessConnection } from '#shared/connections/passwordless';
import { isOAuthError } from '#shared/errors';
import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';
import { html, type SafeHtml } from '#shared/html/escape';
import { passwordlessLogin } from '#shared/login/passwordless-login';
import { sendPasswordlessCode } from '#shared/login/passwordless-start';
import type { TenantConfig } from '#shared/tenant/model';
import type { AuthorizationTransaction } from '../transaction.ts';
import { afterFirstFactor } from './after-login.ts';
import { pageFailure } from './failure.ts';
import { field, formError, formPage, pageContext, pageError, pageUrl, submittedForm, type PageContext } from './forms.ts';

/**
 * The hosted passwordless login, `/u/login-passwordless?state=…&connection=email|sms` (Auth0
 * Universal Login's passwordless screens, reference §2.1): first the email address or phone
 * number, to which a code is sent exactly as `POST /passwordless/start` sends one (same
 * template, same rate limits); then a field named `code`. The right code logs in as every
 * hosted first factor does (afterFirstFactor: MFA when it applies, then the client's answer).
 * The answer to the first step is the same whether or not the identity has an account.
 */
export const passwordlessPagePath = '/u/login-passwordless';

export const passwordlessPageUrl = (state: string, connection: string) => `${pageUrl(passwordlessPagePath, state)}&connection=${encodeURIComponent(connection)}`;

/**
 * Where /authorize sends a transaction that should log in without a password: the connection
 * it named is passwordless, or the client has no database connection and a passwordless one.
 * Undefined: the usual login page.
 */
export function passwordlessEntry(tenant: TenantConfig, transaction: AuthorizationTransaction): string | undefined {
  const named = transaction.connection;
  if (named !== undefined) return passwordlessConnection(tenant, named, transaction.client_id) ? passwordlessPageUrl(transaction.id, named) : undefined;
  if (databaseConnectionsFor(tenant, transaction.client_id).length > 0) return undefined;
  const first = passwordlessConnectionsFor(tenant, transaction.client_id)[0];
  return first ? passwordlessPageUrl(transaction.id, first.name) : undefined;
}

export async function loginPasswordlessPage(request: EndpointRequest): Promise<ApiResult> {
  const page = await pageContext(request);
  const connection = pageConnection(page);
  if (request.event.httpMethod === 'GET') {
    const hint = page.transaction.login_hint;
    return identifierForm(page, connection, { value: hint !== undefined && passwordlessIdentifier(connection, hint) ? hint : undefined });
  }
  const form = submittedForm(page);
  const raw = form[identifierField(connection)] ?? '';
  const identifier = passwordlessIdentifier(connection, raw);
  if (form.code === undefined) {
    if (!identifier) return identifierForm(page, connection, { value: raw.slice(0, 320), status: 400, error: identifierHelp(connection) });
    let headers: Record<string, string>;
    try {
      // Exactly what POST /passwordless/start with send=code does, under its buckets.
      ({ headers } = await sendPasswordlessCode({
        tenant: request.tenant,
        issuer: request.context.issuer,
        client: page.client,
        connection,
        identifier,
        send: 'code',
        ip: request.context.clientIp,
      }));
    } catch (error) {
      if (!isOAuthError(error)) throw error;
      return identifierForm(page, connection, { value: identifier, ...pageFailure(error) });
    }
    return codeForm(page, connection, identifier, { headers });
  }
  // Only a form this page rendered has a code without an identity: start over.
  if (!identifier) return identifierForm(page, connection, { status: 400, error: identifierHelp(connection) });
  const code = form.code.trim();
  if (!code) return codeForm(page, connection, identifier, { status: 400, error: 'Enter the code we sent you.' });
  let user;
  try {
    user = await passwordlessLogin({
      tenant: request.tenant,
      connection,
      identifier,
      code,
      ip: request.context.clientIp,
      clientId: page.client.client_id,
      issuer: request.context.issuer,
    });
  } catch (error) {
    if (!isOAuthError(error)) throw error;
    return codeForm(page, connection, identifier, pageFailure(error));
  }
  return afterFirstFactor(page, user, connection.name);
}

/**
 * The connection of this login. When the application named one at /authorize, that one only:
 * `?connection=` is part of a URL anyone can edit, and an application that asked for its
 * database connection (or for `email`) must not get a login through another (Auth0 logs in
 * with the connection the request named). Otherwise `?connection=` when it names a
 * passwordless connection of the client, else the client's first.
 */
function pageConnection(page: PageContext): PasswordlessConnection {
  const { tenant } = page.request;
  const clientId = page.transaction.client_id;
  const values = page.request.event.multiValueQueryStringParameters?.connection ?? [];
  const requested = values.length > 1 ? undefined : page.request.event.queryStringParameters?.connection;
  const bound = page.transaction.connection;
  if (bound !== undefined && requested !== undefined && requested !== bound) {
    throw pageError(400, 'invalid_request', 'This login cannot use another connection than the one the application asked for.');
  }
  const named = bound ?? requested;
  const connection = named !== undefined && named.length <= 128 ? passwordlessConnection(tenant, named, clientId) : passwordlessConnectionsFor(tenant, clientId)[0];
  if (!connection) throw pageError(400, 'invalid_request', 'Passwordless login is not enabled for this application.');
  return connection;
}

const identifierField = (connection: PasswordlessConnection) => (connection.strategy === 'sms' ? 'phone_number' : 'email');

const identifierHelp = (connection: PasswordlessConnection) =>
  connection.strategy === 'sms' ? 'Enter your phone number in international format, for example +14155550100.' : 'Enter a valid email address.';

interface FormState {
  readonly value?: string | undefined;
  readonly error?: string | SafeHtml;
  readonly status?: number;
  readonly headers?: Record<string, string>;
}

const options = (state: FormState) => ({ ...(state.status ? { status: state.status } : {}), ...(state.headers ? { headers: state.headers } : {}) });

/** Step 1: the email address (email connections) or the phone number (sms). */
function identifierForm(page: PageContext, connection: PasswordlessConnection, state: FormState): ApiResult {
  const sms = connection.strategy === 'sms';
  return formPage(page, {
    title: 'Log in',
    ...options(state),
    body: (hidden) => html`${formError(state.error)}
<p>${sms ? 'Enter your phone number and we will text you a code to log in.' : 'Enter your email address and we will email you a code to log in.'}</p>
<form method="post" action="${passwordlessPageUrl(page.state, connection.name)}">
${hidden}
${field({ name: identifierField(connection), label: sms ? 'Phone number' : 'Email address', type: sms ? 'text' : 'email', autocomplete: sms ? 'tel' : 'email', value: state.value, invalid: state.error !== undefined, autofocus: true })}
<button type="submit">Send code</button>
</form>
${otherWays(page, connection)}`,
  });
}

/** Step 2: the code, with the identity carried along (the code is bound to it; changing it only makes the code wrong). */
function codeForm(page: PageContext, connection: PasswordlessConnection, identifier: string, state: FormState): ApiResult {
  const name = identifierField(connection);
  const action = passwordlessPageUrl(page.state, connection.name);
  return formPage(page, {
    title: 'Enter your code',
    ...options(state),
    body: (hidden) => html`${formError(state.error)}
<p class="notice" role="status">We sent a code to <strong>${identifier}</strong>. It expires in ${Math.max(1, Math.round(connection.codeLifetimeSeconds / 60))} minutes.</p>
<form method="post" action="${action}">
${hidden}
<input type="hidden" name="${name}" value="${identifier}">
${field({ name: 'code', label: 'Code', type: 'text', autocomplete: 'one-time-code', invalid: state.error !== undefined, autofocus: true })}
<button type="submit">Continue</button>
</form>
<form method="post" action="${action}" class="links">
${hidden}
<input type="hidden" name="${name}" value="${identifier}">
<button type="submit" class="link">Send a new code</button>
</form>
<p class="links"><a href="${action}">Use another ${connection.strategy === 'sms' ? 'phone number' : 'email address'}</a></p>`,
  });
}

/** The other passwordless connections of the client, and the password login when it has one and the application named no connection. */
function otherWays(page: PageContext, current: PasswordlessConnection): SafeHtml {
  const { tenant } = page.request;
  // A login bound to one connection (the application named it) offers no other.
  const others = page.transaction.connection !== undefined ? [] : passwordlessConnectionsFor(tenant, page.client.client_id).filter((c) => c.name !== current.name);
  const password = page.transaction.connection === undefined && databaseConnectionsFor(tenant, page.client.client_id).length > 0;
  return html`${others.map((c) => html`<p class="links"><a href="${passwordlessPageUrl(page.state, c.name)}">${passwordlessLinkText(c)}</a></p>`)}${
    password ? html`<p class="links"><a href="${pageUrl('/u/login', page.state)}">Log in with a password</a></p>` : ''
  }`;
}

/** The login form's offer for one passwordless connection. */
export const passwordlessLinkText = (connection: Pick<PasswordlessConnection, 'strategy'>) =>
  connection.strategy === 'sms' ? 'Log in with a code by SMS' : 'Log in with a code by email';
