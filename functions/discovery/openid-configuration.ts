import type { EndpointRequest } from '#shared/http/endpoint';
import { json } from '#shared/http/responses';
import type { ApiResult } from '#shared/http/types';
import { runtimeConfig } from '#shared/config';
import { assertionAlgs } from '#shared/tenant/model';

/**
 * `GET /.well-known/openid-configuration` and its RFC 8414 alias (reference §12.1): Auth0's
 * document, with what this deployment really serves. Endpoints not served (device code,
 * registration, PAR) are not advertised, so a client never discovers a 404.
 */

/**
 * The grants of /oauth/token (functions/token/token-endpoint.ts `grants`; a unit test keeps
 * the two equal — importing that module here would put every grant in this bundle), plus
 * `implicit`, which RFC 8414 §2 lists as a grant type though /authorize serves it.
 */
export const grantTypesSupported = [
  'authorization_code',
  'implicit',
  'refresh_token',
  'client_credentials',
  'password',
  'http://auth0.com/oauth/grant-type/password-realm',
  'http://auth0.com/oauth/grant-type/passwordless/otp',
  'http://auth0.com/oauth/grant-type/mfa-otp',
  'http://auth0.com/oauth/grant-type/mfa-oob',
  'http://auth0.com/oauth/grant-type/mfa-recovery-code',
];

export async function openidConfiguration({ tenant, context }: EndpointRequest): Promise<ApiResult> {
  const issuer = context.issuer;
  const doc: Record<string, unknown> = {
    issuer,
    authorization_endpoint: `${issuer}authorize`,
    token_endpoint: `${issuer}oauth/token`,
    userinfo_endpoint: `${issuer}userinfo`,
    // Auth0 publishes it (reference §12.1): POST /mfa/challenge (§8.1).
    mfa_challenge_endpoint: `${issuer}mfa/challenge`,
    jwks_uri: `${issuer}.well-known/jwks.json`,
    revocation_endpoint: `${issuer}oauth/revoke`,
    end_session_endpoint: `${issuer}oidc/logout`,
    grant_types_supported: grantTypesSupported,
    scopes_supported: ['openid', 'profile', 'offline_access', 'name', 'given_name', 'family_name', 'nickname', 'email', 'email_verified', 'picture', 'created_at', 'identities', 'phone', 'address'],
    response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'token id_token', 'code token id_token'],
    // S256 only: PKCE `plain` is refused (RFC 9700 §2.1.1), though Auth0 still lists it.
    code_challenge_methods_supported: ['S256'],
    // Auth0's list: /authorize also answers `web_message`, which Auth0 does not advertise.
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'PS256', 'ES256'],
    token_endpoint_auth_methods_supported: [
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
      'tls_client_auth',
      'self_signed_tls_client_auth',
    ],
    token_endpoint_auth_signing_alg_values_supported: [...assertionAlgs],
    revocation_endpoint_auth_methods_supported: [
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
      'tls_client_auth',
      'self_signed_tls_client_auth',
      'none',
    ],
    claims_supported: [
      'aud', 'auth_time', 'created_at', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'identities', 'iss',
      'name', 'nickname', 'phone_number', 'picture', 'sub', 'updated_at', 'sid', 'nonce', 'at_hash', 'c_hash', 'azp',
    ],
    request_uri_parameter_supported: false,
    request_parameter_supported: false,
    tls_client_certificate_bound_access_tokens: true,
    // RFC 9207: /authorize adds `iss` to every authorization response.
    authorization_response_iss_parameter_supported: true,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  };
  const aliasBase = mtlsAliasBase(tenant.settings.mtls.enable_endpoint_aliases, context.customDomain?.domain, tenant);
  if (aliasBase) {
    // RFC 8705 §5: the endpoints a client authenticates at, or presents a bound token to.
    doc.mtls_endpoint_aliases = {
      token_endpoint: `${aliasBase}oauth/token`,
      revocation_endpoint: `${aliasBase}oauth/revoke`,
      userinfo_endpoint: `${aliasBase}userinfo`,
    };
  }
  return json(200, doc, { 'Cache-Control': 'public, max-age=300' });
}

/**
 * RFC 8705 §5 aliases live on `mtls.<custom domain>` (Auth0 §17) when the request came
 * through a custom domain's proxy; otherwise on the deployment's own mTLS API (the CDK
 * stack's MtlsDomainName, the local mTLS listener), or `mtls.<first custom domain>`.
 */
function mtlsAliasBase(enabled: boolean, requestDomain: string | undefined, tenant: EndpointRequest['tenant']): string | undefined {
  if (!enabled) return undefined;
  if (requestDomain) return `https://mtls.${requestDomain}/`;
  const configured = runtimeConfig().mtlsBaseUrl;
  if (configured) return configured;
  const domain = tenant.customDomains.keys().next().value;
  return domain ? `https://mtls.${domain}/` : undefined;
}
