import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';
import { createAuthorizationCode } from '#shared/store/authorization-codes';
import { addSessionClient, type SessionRecord } from '#shared/store/sessions';
import type { UserRecord } from '#shared/store/users';
import type { ClientRecord } from '#shared/tenant/model';
import { issueUserTokens } from '#shared/tokens/user-tokens';
import { answerClient } from './client-response.ts';
import type { AuthorizationTransaction } from './transaction.ts';

/**
 * The successful authorization response (OIDC Core §3.1.2.5, §3.2.2.5, §3.3.2.5): a code for
 * `code`, an access token for `token`, an ID token for `id_token`, any combination. The
 * front channel never carries a refresh token (RFC 9700 §2.1.2). The ID token of a hybrid
 * response gets `c_hash` from the code, and `at_hash` when an access token comes with it.
 */
export async function issueAuthorizationResponse(
  request: EndpointRequest,
  transaction: AuthorizationTransaction,
  session: SessionRecord,
  user: UserRecord,
  client: ClientRecord,
): Promise<ApiResult> {
  const types = transaction.response_type.split(' ');
  const code = types.includes('code')
    ? await createAuthorizationCode({
        client_id: client.client_id,
        redirect_uri: transaction.redirect_uri,
        redirect_uri_sent: transaction.redirect_uri_omitted !== true,
        code_challenge: transaction.code_challenge,
        nonce: transaction.nonce,
        scopes: transaction.scope,
        audience: transaction.audience,
        user_id: user.user_id,
        sid: session.sid,
        auth_time: session.auth_time,
        ...(session.amr?.length ? { amr: [...session.amr] } : {}),
      })
    : undefined;
  const wantsAccessToken = types.includes('token');
  const wantsIdToken = types.includes('id_token');
  const tokens =
    wantsAccessToken || wantsIdToken
      ? await issueUserTokens({
          tenant: request.tenant,
          issuer: request.context.issuer,
          client,
          user,
          scopes: transaction.scope,
          audience: transaction.audience,
          nonce: transaction.nonce,
          sid: session.sid,
          authTime: session.auth_time,
          // How the session's login was made (`["mfa"]` after a second factor): the tokens' amr.
          ...(session.amr?.length ? { amr: session.amr } : {}),
          include: { accessToken: wantsAccessToken, idToken: wantsIdToken, refreshToken: false },
          // The front channel has no client certificate: a client that requires one gets an error.
          certificate: undefined,
          // An ID token that travels with an access token carries its at_hash; a hybrid one, c_hash.
          atHash: wantsAccessToken && wantsIdToken,
          // Reference §15.1: an implicit-flow /userinfo token lives 7,200 s, a hybrid one 86,400 s.
          implicit: code === undefined,
          ...(code !== undefined ? { code } : {}),
        })
      : undefined;
  // Once per client and session (the usual SSO answer adds nothing): back-channel logout's list.
  if (!session.clients.includes(client.client_id)) await addSessionClient(session.sid, client.client_id);
  const accessToken = wantsAccessToken ? tokens?.access_token : undefined;
  return answerClient(
    request,
    { redirectUri: transaction.redirect_uri, mode: transaction.response_mode },
    {
      code,
      ...(accessToken !== undefined ? { access_token: accessToken, token_type: 'Bearer', expires_in: tokens!.expires_in, scope: tokens!.scope } : {}),
      id_token: wantsIdToken ? tokens?.id_token : undefined,
    },
    transaction.state,
    client.name,
  );
}
