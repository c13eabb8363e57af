import { userBlocked } from '#shared/attack-protection/errors';
import { accessDenied, invalidGrant, invalidRequest, invalidScope } from '#shared/errors';
import { exchangeRefreshToken, findRefreshToken, isLeewayRetry, revokeFamily } from '#shared/store/refresh-tokens';
import { mfaApplies, mfaMayApply } from '#shared/mfa/policy';
import { assertNoMfaRequired } from '#shared/mfa/requirement';
import { getUser, type UserRecord } from '#shared/store/users';
import { userTokenBinding } from '#shared/tokens/proof-of-possession';
import { issueUserTokens } from '#shared/tokens/user-tokens';
import { requestedScopes } from '#shared/oauth/scopes';
import type { Grant } from './grant.ts';

/**
 * `grant_type=refresh_token` (reference §3.5). Reads top to bottom as the checklist: the token
 * is known, alive and this client's; a rotated token outside the leeway is reuse and revokes
 * its family; `scope` may only narrow; the user still exists (read during the exchange). Then
 * new tokens: an access token for the family's audience with `gty:
 * refresh_token`, an ID token when `openid` is granted (no `nonce`, the original
 * `auth_time`), and the successor refresh token only when the client rotates.
 */
const unknownToken = (detail: string) => invalidGrant('Unknown or invalid refresh token.', { detail });

export const refreshToken: Grant = {
  allowsPublicClients: true,
  async handle({ request, params, auth }) {
    const { tenant, context } = request;
    const client = auth.client;
    const presented = params.refresh_token;
    if (!presented) throw invalidRequest('Missing required parameter: refresh_token');
    const now = Math.floor(Date.now() / 1000);

    const found = await findRefreshToken(presented, now);
    if (!found) throw unknownToken('unknown, expired or revoked');
    const { family } = found;
    // Bound to the client it was issued to (RFC 6749 §6); another client learns nothing.
    if (family.client_id !== client.client_id) throw unknownToken('issued to another client');
    if (found.status === 'rotated' && !isLeewayRetry(found, client.refresh_token.leeway, now)) {
      await revokeFamily(family.familyId, now);
      throw unknownToken('reuse of a rotated token: family revoked');
    }

    const requested = requestedScopes(params.scope);
    if (requested?.some((s) => !family.scopes.includes(s))) {
      throw invalidScope('The requested scope exceeds the scope granted by the resource owner');
    }
    const scopes = requested ?? [...family.scopes];

    const api = family.audience === undefined ? undefined : tenant.resourceServers.get(family.audience);
    // Checked before the exchange, which would otherwise consume the token for nothing.
    if (family.audience !== undefined && !api) throw accessDenied(`Service not enabled within domain: ${family.audience}`);
    // Checked before the exchange too (issueUserTokens applies it again), so a refused binding consumes nothing.
    userTokenBinding(client, api, auth.certificate);

    // Reference §8.5: the refresh_token grant answers mfa_required too when the MFA policy
    // applies — e.g. a family from before the tenant turned MFA on keeps no `mfa` in its amr.
    // The family's connection is its user's (users.connection: a user belongs to one
    // connection), so it need not be stored. Then the user is read first and the token is not
    // exchanged: the client keeps it, and the mfa_token's grant (scopes, audience,
    // auth_time of this family) issues a new family remembering `mfa` once the second factor passes.
    // Only when the tenant asks for MFA at all: otherwise the user is read during the exchange.
    const mfaChecked = family.amr?.includes('mfa') !== true && mfaMayApply(tenant, family.audience, context.issuer);
    let user: UserRecord | undefined;
    if (mfaChecked) {
      user = liveUser(await getUser(family.user_id));
      if (mfaApplies(tenant, user.connection, family.audience, context.issuer)) {
        await assertNoMfaRequired({ tenant, issuer: context.issuer, client, user, connection: user.connection, scopes, audience: family.audience, gty: 'refresh_token', authTime: family.auth_time });
      }
    }
    // Otherwise the user is read while the exchange writes (one round trip, not two). A token
    // exchanged for a user who is gone or blocked is consumed for nothing, which harms nobody.
    const [read, exchanged] = await Promise.all([user ?? getUser(family.user_id).then(liveUser), exchangeRefreshToken(found, client.refresh_token, now)]);
    user = read;
    if (!exchanged.ok) throw unknownToken(`exchange refused: ${exchanged.reason}`);

    const tokens = await issueUserTokens({
      tenant,
      issuer: context.issuer,
      client,
      user,
      scopes,
      audience: family.audience,
      ...(family.sid !== undefined ? { sid: family.sid } : {}),
      authTime: family.auth_time,
      // The family remembers how the user logged in: a refreshed ID token still says `mfa`.
      ...(family.amr !== undefined ? { amr: family.amr } : {}),
      gty: 'refresh_token',
      certificate: auth.certificate,
      include: { accessToken: true, idToken: true, refreshToken: false },
    });
    return {
      access_token: tokens.access_token,
      ...(exchanged.token ? { refresh_token: exchanged.token } : {}),
      ...(tokens.id_token ? { id_token: tokens.id_token } : {}),
      scope: tokens.scope,
      expires_in: tokens.expires_in,
      token_type: tokens.token_type,
    };
  },
};

function liveUser(user: UserRecord | undefined): UserRecord {
  if (!user) throw invalidGrant("The refresh_token was generated for a user who doesn't exist anymore.");
  if (user.blocked) throw userBlocked();
  return user;
}
