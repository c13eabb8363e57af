import { randomUUID } from 'node:crypto';
import type { ResourceServerRecord } from '../tenant/model.ts';
import { signJwt } from './signer.ts';

/**
 * JWT access tokens for an API, in the API's `token_dialect` (reference §15.1): Auth0's own
 * profile (`typ: JWT`, `azp`, `gty`) by default, or RFC 9068 (`typ: at+jwt`, `client_id`,
 * `jti`, no `gty`). `permissions` is added when the API enforces RBAC and its dialect carries
 * authorisation (`*_authz`).
 */
export interface AccessTokenInput {
  readonly issuer: string;
  readonly subject: string;
  readonly clientId: string;
  readonly api: ResourceServerRecord;
  readonly scopes: readonly string[];
  /**
   * Audiences besides the API: a user token with `openid` also names `<issuer>userinfo`, which
   * makes `aud` an array (reference §15.1).
   */
  readonly extraAudiences?: readonly string[];
  /** Auth0's grant type claim: `client-credentials`, `password` or `refresh_token`. */
  readonly gty?: string;
  /** RFC 8705 §3.1 certificate binding: base64url SHA-256 of the client certificate. */
  readonly x5tS256?: string;
  /** Authentication methods (OIDC Core §2 `amr`), e.g. `["mfa"]` after a second factor: APIs may require it. */
  readonly amr?: readonly string[];
  readonly now?: number;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresIn: number;
}

export async function issueAccessToken(input: AccessTokenInput): Promise<IssuedAccessToken> {
  const { api } = input;
  const iat = Math.floor((input.now ?? Date.now()) / 1000);
  const rfc9068 = api.token_dialect.startsWith('rfc9068');
  const scope = input.scopes.join(' ');
  const payload: Record<string, unknown> = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.extraAudiences?.length ? [api.identifier, ...input.extraAudiences] : api.identifier,
    iat,
    exp: iat + api.token_lifetime,
  };
  if (rfc9068) {
    payload.jti = randomUUID();
    payload.client_id = input.clientId;
  }
  if (scope) payload.scope = scope;
  if (!rfc9068) {
    if (input.gty) payload.gty = input.gty;
    payload.azp = input.clientId;
  }
  if (api.enforce_policies && api.token_dialect.endsWith('_authz')) payload.permissions = [...input.scopes];
  if (input.amr?.length) payload.amr = [...input.amr];
  if (input.x5tS256) payload.cnf = { 'x5t#S256': input.x5tS256 };
  const token = await signJwt(payload, api.signing_alg, rfc9068 ? 'at+jwt' : 'JWT');
  return { token, expiresIn: api.token_lifetime };
}
