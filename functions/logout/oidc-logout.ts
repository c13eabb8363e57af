import { tenantDisplayName } from '#shared/html/page';
import { invalidRequest } from '#shared/errors';
import { isSecureIssuer, withCookies } from '#shared/http/cookies';
import type { EndpointRequest } from '#shared/http/endpoint';
import { noStore } from '#shared/http/responses';
import type { ApiResult } from '#shared/http/types';
import { currentSession, type SessionRecord } from '#shared/store/sessions';
import type { ClientRecord, TenantConfig } from '#shared/tenant/model';
import { clearConfirmationCookie, isConfirmed, newConfirmation } from './confirmation.ts';
import { logOut } from './end-session.ts';
import { verifyIdTokenHint, type IdTokenHint } from '#shared/tokens/id-token-hint';
import { allowsPostLogoutRedirectUri, withState } from './logout-urls.ts';
import { confirmLogoutPage, loggedOutPage } from './pages.ts';
import { formParams, queryParams, type LogoutParams } from './params.ts';

/**
 * `GET` and `POST /oidc/logout`: OpenID Connect RP-Initiated Logout 1.0 (reference §5.2).
 *
 * The request is checked in full before anything changes:
 * 1. `id_token_hint` must be an ID token we issued (expired ones are fine, see
 *    id-token-hint.ts); its `aud` selects the application, which `client_id` must equal and
 *    whose `sid` `logout_hint` must equal when they are sent;
 * 2. `post_logout_redirect_uri` must be exactly one of the application's Allowed Logout URLs
 *    (the tenant's when no application is named); without it, the application's first
 *    Allowed Logout URL; without an application, the "logged out" page. `state` is echoed.
 *
 * Then, when this browser has a session: if the request proves it comes from an application
 * of that session (the hint's `sid`, or `logout_hint`, names it; a hint without `sid` names
 * its user), the session ends at once; otherwise the user is asked to confirm (§2: the OP
 * SHOULD ask), with a CSRF-protected form that posts back here. Without a session cookie (a
 * cross-site POST does not carry a SameSite=Lax cookie), the session named by a verified
 * hint is ended. `federated` is accepted (no upstream identity providers yet).
 */
export async function oidcLogout(request: EndpointRequest): Promise<ApiResult> {
  const { event, tenant, context } = request;
  const isPost = event.httpMethod === 'POST';
  const params = isPost ? formParams(event) : queryParams(event);
  if (isPost && params.present('federated') && !['true', 'false'].includes(params.get('federated') ?? '')) {
    throw invalidRequest('The federated parameter must be true or false');
  }
  const idTokenHint = params.get('id_token_hint');
  const hint = idTokenHint === undefined ? undefined : await verifyIdTokenHint(idTokenHint, tenant, context);
  const logoutHint = params.get('logout_hint');
  const client = clientOf(params.get('client_id'), hint, tenant);
  if (hint?.sid !== undefined && logoutHint !== undefined && logoutHint !== hint.sid) {
    throw invalidRequest('The logout_hint parameter does not match the sid of the id_token_hint');
  }
  const destination = postLogoutDestination(params, client, tenant);
  const tenantName = tenantDisplayName(tenant);
  const secure = isSecureIssuer(context.issuer);
  const done = (cookies: string[]) =>
    withCookies(destination ? { statusCode: 302, headers: { Location: destination, ...noStore }, body: '' } : loggedOutPage(tenantName), cookies);

  const session = await currentSession(event, tenant);
  const csrfToken = isPost ? params.get('csrf_token') : undefined;
  if (csrfToken !== undefined) {
    // The answer of our own confirmation page.
    if (session && !isConfirmed(event, session.sid, csrfToken)) {
      throw invalidRequest('The logout confirmation is invalid or has expired. Start the logout again.');
    }
    return done([...(await logOut(request, { session })), clearConfirmationCookie(secure)]);
  }
  if (session && !identifiesSession(session, hint, logoutHint)) {
    const confirmation = newConfirmation(session.sid, secure);
    const page = confirmLogoutPage({
      tenantName,
      clientName: client?.name,
      fields: {
        id_token_hint: idTokenHint,
        logout_hint: logoutHint,
        client_id: client?.client_id,
        post_logout_redirect_uri: params.get('post_logout_redirect_uri'),
        state: params.get('state'),
        ui_locales: params.get('ui_locales'),
        federated: params.present('federated') ? (params.get('federated') === 'false' ? 'false' : 'true') : undefined,
      },
      csrfToken: confirmation.token,
      headers: {},
      destination,
    });
    return withCookies(page, [confirmation.setCookie]);
  }
  return done(await logOut(request, { session, hintSid: session ? undefined : hint?.sid }));
}

function clientOf(clientId: string | undefined, hint: IdTokenHint | undefined, tenant: TenantConfig): ClientRecord | undefined {
  if (hint) {
    if (clientId !== undefined && clientId !== hint.client.client_id) {
      throw invalidRequest('The client_id parameter does not match the audience of the id_token_hint');
    }
    return hint.client;
  }
  if (clientId === undefined) return undefined;
  const client = tenant.clients.get(clientId);
  if (!client) throw invalidRequest(`Unknown client: ${clientId}`);
  return client;
}

function postLogoutDestination(params: LogoutParams, client: ClientRecord | undefined, tenant: TenantConfig): string | undefined {
  const uri = params.get('post_logout_redirect_uri');
  const state = params.get('state');
  if (uri === undefined) {
    const first = client?.allowed_logout_urls[0];
    return first === undefined ? undefined : withState(first, state);
  }
  const allowed = client ? client.allowed_logout_urls : (tenant.settings.allowed_logout_urls ?? []);
  if (!allowsPostLogoutRedirectUri(allowed, uri)) {
    throw invalidRequest(
      `The "post_logout_redirect_uri" querystring parameter "${uri}" is not defined as a valid URL in "Allowed Logout URLs". ` +
        `To add a new URL, add it to the allowed_logout_urls of ${client ? `the application "${client.name}"` : 'the tenant'} in the tenant file.`,
    );
  }
  return withState(uri, state);
}

/** Whether the request proves it comes from an application of this session (no confirmation needed). */
function identifiesSession(session: SessionRecord, hint: IdTokenHint | undefined, logoutHint: string | undefined): boolean {
  if (hint) return hint.sid !== undefined ? hint.sid === session.sid : hint.sub === session.user_id;
  // The sid is only ever given to applications, inside ID tokens: a site that knows it is one.
  return logoutHint !== undefined && logoutHint === session.sid;
}
