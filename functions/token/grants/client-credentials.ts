import { accessDenied } from '#shared/errors';
import { clientGrantKey } from '#shared/tenant/model';
import { issueAccessToken } from '#shared/tokens/access-token';
import { certificateBinding } from '#shared/tokens/proof-of-possession';
import { requestedScopes } from '#shared/oauth/scopes';
import type { Grant } from './grant.ts';

/**
 * `grant_type=client_credentials` (reference §3.3): machine-to-machine tokens for an API the
 * client has a client grant for. Every refusal is Auth0's 403 `access_denied` with its text.
 */
export const clientCredentials: Grant = {
  allowsPublicClients: false,
  async handle({ request, params, auth }) {
    const { tenant, context } = request;
    const audience = params.audience ?? params.resource ?? tenant.settings.default_audience;
    if (!audience) {
      throw accessDenied('No audience parameter was provided, and no default audience has been configured');
    }
    const api = tenant.resourceServers.get(audience);
    if (!api) throw accessDenied(`Service not enabled within domain: ${audience}`);
    const clientGrant = tenant.clientGrants.get(clientGrantKey(auth.client.client_id, audience));
    if (!clientGrant) {
      throw accessDenied(
        `Client is not authorized to access "${audience}". You might probably want to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants`,
      );
    }
    const requested = requestedScopes(params.scope);
    let scopes = clientGrant.scope;
    if (requested) {
      const notGranted = requested.filter((s) => !clientGrant.scope.includes(s));
      if (notGranted.length > 0) throw accessDenied(`Client has not been granted scopes: ${notGranted.join(' ')}`);
      scopes = requested;
    }
    const x5tS256 = certificateBinding(auth.client, api, auth.certificate);
    const { token, expiresIn } = await issueAccessToken({
      issuer: context.issuer,
      subject: `${auth.client.client_id}@clients`,
      clientId: auth.client.client_id,
      api,
      scopes,
      gty: 'client-credentials',
      x5tS256,
    });
    return {
      access_token: token,
      ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
      expires_in: expiresIn,
      token_type: 'Bearer',
    };
  },
};
