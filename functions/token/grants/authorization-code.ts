import { userBlocked } from '#shared/attack-protection/errors';
import { isValidCodeVerifier, s256Challenge } from '#shared/crypto/pkce';
import { invalidGrant, invalidRequest } from '#shared/errors';
import { log } from '#shared/log';
import { markCodeReplayed, recordCodeRefreshFamily, redeemAuthorizationCode, type RedeemResult } from '#shared/store/authorization-codes';
import { revokeFamily } from '#shared/store/refresh-tokens';
import { getUser } from '#shared/store/users';
import { issueUserTokens } from '#shared/tokens/user-tokens';
import type { Grant } from './grant.ts';

/**
 * `grant_type=authorization_code` (reference §3.2, RFC 6749 §4.1.3, RFC 7636 §4.6): one
 * conditional write redeems the code and checks client, redirect_uri and PKCE together, so a
 * code cannot be spent twice. A replay fails and revokes the refresh tokens the code issued.
 * Every refusal is Auth0's 403 `invalid_grant`.
 */
const invalidCode = (detail: string) => invalidGrant('Invalid authorization code', { detail });
const failedVerifier = (detail: string) => invalidGrant('Failed to verify code verifier', { detail });

export const authorizationCode: Grant = {
  allowsPublicClients: true,
  async handle({ request, params, auth }) {
    const { tenant, context } = request;
    const client = auth.client;
    const code = params.code;
    if (!code) throw invalidRequest('Missing required parameter: code');
    const verifier = params.code_verifier;
    if (verifier !== undefined && !isValidCodeVerifier(verifier)) throw failedVerifier('malformed code_verifier');
    // Public clients must prove possession of the verifier (PKCE is required for them at /authorize).
    if (verifier === undefined && client.token_endpoint_auth_method === 'none') throw failedVerifier('public client without code_verifier');

    const result = await redeemAuthorizationCode(code, {
      clientId: client.client_id,
      redirectUri: params.redirect_uri,
      challenge: verifier === undefined ? undefined : s256Challenge(verifier),
    });
    if (!result.ok) {
      if (result.reason === 'replayed') await revokeWhatCodeIssued(result.codeKey);
      throw refusal(result.reason, verifier !== undefined);
    }
    const grant = result.grant;
    const user = await getUser(grant.user_id);
    if (!user) throw invalidCode('user no longer exists');
    if (user.blocked) throw userBlocked();

    const tokens = await issueUserTokens({
      tenant,
      issuer: context.issuer,
      client,
      user,
      scopes: grant.scopes,
      audience: grant.audience,
      nonce: grant.nonce,
      sid: grant.sid,
      authTime: grant.auth_time,
      ...(grant.amr ? { amr: grant.amr } : {}),
      include: { accessToken: true, idToken: true, refreshToken: true },
      certificate: auth.certificate,
    });
    if (tokens.refreshFamilyId !== undefined && (await recordCodeRefreshFamily(result.codeKey, tokens.refreshFamilyId))) {
      // The code was replayed while these tokens were made: the replay could not revoke them.
      await revokeFamily(tokens.refreshFamilyId);
      throw invalidCode('replayed during redemption');
    }
    const { refreshFamilyId: _family, ...response } = tokens;
    return response;
  },
};

function refusal(reason: Exclude<RedeemResult, { ok: true }>['reason'], sentVerifier: boolean) {
  switch (reason) {
    case 'pkce':
      return failedVerifier(sentVerifier ? 'code_verifier does not match, or the code had no challenge' : 'code_challenge sent, no code_verifier');
    case 'redirect_uri_missing':
      return invalidGrant('redirect_uri is required if it was included in the authorization request.', { detail: reason });
    case 'redirect_uri':
      return invalidGrant('redirect_uri does not match the one of the authorization request', { detail: reason });
    default:
      return invalidCode(reason);
  }
}

/** RFC 6749 §4.1.2: a code used twice revokes the tokens issued from it (RFC 9700 §4.5). */
async function revokeWhatCodeIssued(codeKey: string): Promise<void> {
  const family = await markCodeReplayed(codeKey);
  log.warn('authorization code replayed', { revokedFamily: family !== undefined });
  if (family !== undefined) await revokeFamily(family);
}
