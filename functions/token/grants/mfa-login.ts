import { userBlocked } from '#shared/attack-protection/errors';
import { invalidGrant, invalidRequest } from '#shared/errors';
import { readMfaToken, type MfaTokenClaims } from '#shared/mfa/mfa-token';
import { getUser, type UserRecord } from '#shared/store/users';
import { issueUserTokens } from '#shared/tokens/user-tokens';
import type { GrantInput } from './grant.ts';

/**
 * What the three MFA grants share (reference §3.8): the `mfa_token` names a live login of
 * this client whose first factor passed (readMfaToken: 403 invalid_grant "Malformed
 * mfa_token", 403 expired_token "mfa_token is expired"), its user still exists and is not
 * blocked; once the second factor passed, the tokens the original grant would have issued —
 * its scopes, audience, `gty` and `auth_time` — with `amr: ["mfa"]`.
 */
export interface MfaLogin {
  readonly claims: MfaTokenClaims;
  readonly user: UserRecord;
}

export async function readMfaLogin({ request, params, auth }: GrantInput): Promise<MfaLogin> {
  if (!params.mfa_token) throw invalidRequest('Missing required parameter: mfa_token');
  const claims = await readMfaToken(params.mfa_token, { issuer: request.context.issuer, clientId: auth.client.client_id });
  const user = await getUser(claims.sub);
  if (!user) throw invalidGrant('Malformed mfa_token', { detail: 'the user no longer exists' });
  if (user.blocked) throw userBlocked();
  return { claims, user };
}

/** OIDC Core §2 `amr`, RFC 8176 §2: "mfa" — multiple-factor authentication. */
export const mfaAmr = ['mfa'] as const;

export async function issueAfterMfa({ request, auth }: GrantInput, { claims, user }: MfaLogin): Promise<Record<string, unknown>> {
  const { refreshFamilyId: _family, ...tokens } = await issueUserTokens({
    tenant: request.tenant,
    issuer: request.context.issuer,
    client: auth.client,
    user,
    scopes: claims.scope,
    audience: claims.audience,
    ...(claims.gty !== undefined ? { gty: claims.gty } : {}),
    authTime: claims.auth_time,
    amr: mfaAmr,
    include: { accessToken: true, idToken: true, refreshToken: true },
    certificate: auth.certificate,
  });
  return tokens;
}
