import { isPasswordlessConnection, passwordlessConnection } from '#shared/connections/passwordless';
import { invalidRequest, isOAuthError, methodNotAllowed, OAuthError } from '#shared/errors';
import { isSecureIssuer, withCookies } from '#shared/http/cookies';
import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';
import { passwordlessLogin } from '#shared/login/passwordless-login';
import { errorTarget, validateAuthorizeRequest } from './authorize-request.ts';
import { verifyClientAndRedirect } from './client-redirect.ts';
import { errorToClient } from './client-response.ts';
import { afterFirstFactor } from './pages/after-login.ts';
import { tenantNameOf } from './pages/forms.ts';
import { readAuthorizeQuery } from './query-params.ts';
import { newTransaction, storeTransaction } from './transaction.ts';

/**
 * `GET /passwordless/verify_redirect` (reference §7.2): the magic link's landing. The link
 * carries an /authorize request (`client_id`, `redirect_uri`, `response_type`, `scope`,
 * `state`, `nonce`, PKCE…) plus `connection`, `email` or `phone_number` and
 * `verification_code`. It is checked exactly as /authorize checks its request — an unknown
 * client or an unregistered redirect_uri is an error page, anything else goes back to the
 * client — then the code is redeemed, and the browser continues as after any hosted first
 * factor (MFA when it applies, then the session and the client's code or tokens).
 *
 * A wrong, used or expired link goes back to the client as `access_denied` with Auth0's
 * "Wrong email or verification code." (as Auth0 does with a dead magic link): the
 * redirect_uri is verified, and only the application can start a new login — an error page
 * would strand the user. Attack-protection refusals (`too_many_attempts`) and an
 * administrator's block (`unauthorized`) keep their codes.
 */
export async function verifyRedirect(request: EndpointRequest): Promise<ApiResult> {
  if (request.event.httpMethod !== 'GET') throw methodNotAllowed(`Method ${request.event.httpMethod} not allowed`, { headers: { Allow: 'GET' } });
  const query = readAuthorizeQuery(request.event);
  const verified = verifyClientAndRedirect(request.tenant, query);
  const { params } = query;
  const toClient = (error: Pick<OAuthError, 'error' | 'description'>) =>
    errorToClient(request, errorTarget(params, verified), error, params.state, verified.client.name);
  try {
    const name = params.connection;
    if (!name) throw invalidRequest('Missing required parameter: connection');
    const record = request.tenant.connections.get(name);
    if (!record || !isPasswordlessConnection(record)) throw invalidRequest(`The connection ${name} is not a passwordless connection`);
    const connection = passwordlessConnection(request.tenant, name, verified.client.client_id);
    if (!connection) throw invalidRequest(`The connection ${name} is not enabled for this application`);
    const identifier = connection.strategy === 'sms' ? params.phone_number : params.email;
    if (!identifier) throw invalidRequest(`Missing required parameter: ${connection.strategy === 'sms' ? 'phone_number' : 'email'}`);
    const code = params.verification_code;
    if (!code) throw invalidRequest('Missing required parameter: verification_code');
    for (const again of ['connection', 'email', 'phone_number', 'verification_code']) {
      if (query.repeated.has(again)) throw invalidRequest(`'${again}' parameter must not be provided more than once`);
    }
    // The whole /authorize validation (response type against the client's grants, PKCE for
    // public clients, nonce, scopes), so a link cannot ask for more than /authorize would give.
    const valid = validateAuthorizeRequest(request.tenant, query, verified);

    let user;
    try {
      user = await passwordlessLogin({
        tenant: request.tenant,
        connection,
        identifier,
        code,
        ip: request.context.clientIp,
        clientId: verified.client.client_id,
        issuer: request.context.issuer,
      });
    } catch (error) {
      if (isOAuthError(error) && error.error === 'invalid_grant') throw new OAuthError(403, 'access_denied', error.description);
      throw error;
    }
    // Bound to this browser, as /authorize's transactions are: MFA pages that follow read it.
    const transaction = newTransaction({ ...valid, connection: connection.name });
    const setCookie = await storeTransaction(request, transaction);
    const page = {
      request,
      transaction,
      client: verified.client,
      state: transaction.id,
      tenantName: tenantNameOf(request),
      secure: isSecureIssuer(request.context.issuer),
    };
    return withCookies(await afterFirstFactor(page, user, connection.name), [setCookie]);
  } catch (error) {
    if (!isOAuthError(error) || error.statusCode >= 500) throw error;
    return toClient(error);
  }
}
