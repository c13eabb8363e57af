import { isOAuthError, OAuthError } from '#shared/errors';
import { withCookies } from '#shared/http/cookies';
import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';
import { currentSession } from '#shared/store/sessions';
import { getUser } from '#shared/store/users';
import { verifyIdTokenHint } from '#shared/tokens/id-token-hint';
import { errorTarget, validateAuthorizeRequest } from './authorize-request.ts';
import { verifyClientAndRedirect } from './client-redirect.ts';
import { errorToClient } from './client-response.ts';
import { passwordlessEntry } from './pages/login-passwordless.ts';
import { sessionVerdict } from './prompt.ts';
import { readAuthorizeQuery } from './query-params.ts';
import { finishAuthorization, newTransaction, redirectTo, storeTransaction } from './transaction.ts';

/**
 * `GET /authorize` (reference §2.1). First the client and its redirect_uri, whose failures
 * are error pages (thrown: the handler renders them); then everything else, whose failures go
 * back to the client in its response mode with `state` and `iss`. A live SSO session that
 * satisfies prompt, max_age and id_token_hint answers at once (auth_time stays the
 * session's); prompt=none without one is `login_required`; otherwise the request waits as a
 * transaction while the user logs in (or signs up, screen_hint=signup) on the hosted pages.
 */
export async function authorize(request: EndpointRequest): Promise<ApiResult> {
  const query = readAuthorizeQuery(request.event);
  const verified = verifyClientAndRedirect(request.tenant, query);
  try {
    const valid = validateAuthorizeRequest(request.tenant, query, verified);
    const now = Math.floor(Date.now() / 1000);
    const [hint, session] = await Promise.all([
      query.params.id_token_hint === undefined ? undefined : verifyIdTokenHint(query.params.id_token_hint, request.tenant, request.context),
      currentSession(request.event, request.tenant),
    ]);
    const transaction = newTransaction({ ...valid, ...(hint ? { hint_sub: hint.sub } : {}) }, now);
    const verdict = session === undefined ? 'no' : sessionVerdict(request.tenant, session, transaction, now, request.context.issuer);
    const usable = session !== undefined && verdict === 'answers';
    const user = usable ? await getUser(session.user_id) : undefined;
    if (session && user) return await finishAuthorization(request, transaction, session, { stored: false, setCookies: [], user });
    // OIDC Core §3.1.2.6; also when the session is too old for max_age (conformance: doorkeeper#274).
    // Reference §2.1: a session that lacks only the second factor MFA now asks for needs UI.
    if (valid.prompt.includes('none') && verdict === 'needs-mfa') throw new OAuthError(400, 'interaction_required', 'Multifactor authentication required');
    if (valid.prompt.includes('none')) throw new OAuthError(400, 'login_required', 'Login required');
    const setCookie = await storeTransaction(request, transaction);
    const page = valid.screen_hint === 'signup' ? 'signup' : 'login';
    // connection=email|sms, or a client with only passwordless connections: the passwordless page.
    const target = passwordlessEntry(request.tenant, transaction) ?? `/u/${page}?state=${encodeURIComponent(transaction.id)}`;
    return withCookies(redirectTo(target), [setCookie]);
  } catch (error) {
    if (!isOAuthError(error) || error.statusCode >= 500) throw error;
    return errorToClient(request, errorTarget(query.params, verified), error, query.params.state, verified.client.name);
  }
}
