import type { EndpointRequest } from '#shared/http/endpoint';
import { readMfaToken, type MfaTokenClaims } from '#shared/mfa/mfa-token';
import { mfaAudience } from '#shared/mfa/policy';
import { getUser, type UserRecord } from '#shared/store/users';
import { keyset } from '#shared/tokens/keyset';
import { verifyOwnJwt } from '#shared/tokens/verify-own-jwt';
import { invalidToken } from './errors.ts';

/**
 * Who calls the MFA API (reference §8): `Authorization: Bearer` with either the `mfa_token`
 * of an `mfa_required` answer (an encrypted JWE, five segments, shared/mfa/mfa-token.ts) or an
 * access token for the MFA audience `<issuer>mfa/` (a JWT we signed, three segments) whose
 * scopes say what it may do. An mfa_token that does not open is Auth0's 403
 * `invalid_grant` "Malformed mfa_token" / `expired_token` (§1.4); anything else unusable is a
 * 401 `invalid_token`. The user must still exist.
 */
export type MfaCaller =
  | { readonly kind: 'mfa_token'; readonly user: UserRecord; readonly clientId: string; readonly claims: MfaTokenClaims }
  | { readonly kind: 'access_token'; readonly user: UserRecord; readonly clientId: string | undefined; readonly scopes: readonly string[] };

const maxTokenLength = 8 * 1024;

/** The one bearer token of the request. */
export function bearerToken(event: EndpointRequest['event']): string {
  const authorization = event.headers['authorization'];
  if (authorization === undefined || authorization === '') throw invalidToken('Missing authorization header');
  const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
  if (!match) throw invalidToken('Invalid authorization header', 'not a Bearer authorization');
  const token = match[1]!;
  if (token.length > maxTokenLength) throw invalidToken('Invalid token', 'oversized');
  return token;
}

const isJws = (token: string) => token.split('.').length === 3;

/**
 * `clientId`: the client the request names (body `client_id`), if any; an mfa_token of
 * another client is then refused. Without one, the bearer stands on its own, as an
 * access token does.
 */
export async function authenticateBearer(request: EndpointRequest, clientId?: string, nowMs = Date.now()): Promise<MfaCaller> {
  const token = bearerToken(request.event);
  const issuer = request.context.issuer;
  if (!isJws(token)) {
    const claims = await readMfaToken(token, { issuer, clientId }, nowMs);
    return { kind: 'mfa_token', user: await userOf(claims.sub), clientId: claims.client_id, claims };
  }
  const verified = await verifyOwnJwt(token, await keyset(nowMs), { issuer, audience: mfaAudience(issuer), now: nowMs });
  if (!verified.ok) throw verified.expired ? invalidToken('The token has expired') : invalidToken('Invalid token', verified.detail);
  const { sub, scope, azp, client_id: cid } = verified.payload;
  if (typeof sub !== 'string' || sub === '') throw invalidToken('Invalid token', 'no sub');
  const tokenClient = typeof azp === 'string' ? azp : typeof cid === 'string' ? cid : undefined;
  if (clientId !== undefined && tokenClient !== undefined && tokenClient !== clientId) throw invalidToken('Invalid token', 'another client');
  return { kind: 'access_token', user: await userOf(sub), clientId: tokenClient, scopes: typeof scope === 'string' ? scope.split(' ') : [] };
}

async function userOf(userId: string): Promise<UserRecord> {
  const user = await getUser(userId);
  if (!user) throw invalidToken('Invalid token', 'the user no longer exists');
  if (user.blocked) throw invalidToken('Invalid token', 'the user is blocked');
  return user;
}
