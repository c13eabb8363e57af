import { parseCertificate } from '#shared/client-auth/certificate';
import type { RequestContext } from '#shared/http/request-context';
import { keyset, type LoadedKeyset } from '#shared/tokens/keyset';
import { decryptOpaqueToken, looksLikeOpaqueToken } from '#shared/tokens/opaque-access-token';
import { verifyOwnJwt } from '#shared/tokens/verify-own-jwt';
import { invalidToken } from './bearer-errors.ts';

/**
 * The access tokens /userinfo accepts (reference §4.5): the opaque token of a login without
 * audience, or a JWT access token whose `aud` includes `<issuer>userinfo` — signed by one of
 * our keys, issued through this request's issuer, not expired. Either must carry `openid`
 * (OIDC Core §5.3). A certificate-bound token (RFC 8705 §3) must come with its certificate.
 */
export interface UserinfoAccess {
  readonly userId: string;
  readonly clientId: string | undefined;
  readonly scopes: readonly string[];
}

export async function verifyUserinfoToken(token: string, context: RequestContext, now = Date.now()): Promise<UserinfoAccess> {
  const loaded = await keyset();
  const access = looksLikeOpaqueToken(token) ? await opaque(token, context, loaded, now) : await jwt(token, context, loaded, now);
  if (!access.scopes.includes('openid')) throw invalidToken('The token does not grant the openid scope');
  return access;
}

async function opaque(token: string, context: RequestContext, loaded: LoadedKeyset, now: number): Promise<UserinfoAccess> {
  const claims = await decryptOpaqueToken(token, loaded);
  if (!claims || claims.iss !== context.issuer) throw invalidToken('Invalid token');
  if (claims.exp <= Math.floor(now / 1000)) throw invalidToken('The token has expired');
  checkBinding(claims.cnf?.['x5t#S256'], context, now);
  return { userId: claims.sub, clientId: claims.client_id, scopes: claims.scope.split(' ') };
}

async function jwt(token: string, context: RequestContext, loaded: LoadedKeyset, now: number): Promise<UserinfoAccess> {
  const verified = await verifyOwnJwt(token, loaded, { issuer: context.issuer, audience: `${context.issuer}userinfo`, now });
  if (!verified.ok) throw verified.expired ? invalidToken('The token has expired') : invalidToken('Invalid token', verified.detail);
  const payload = verified.payload;
  const { sub, scope, azp, client_id: clientId, cnf } = payload;
  if (typeof sub !== 'string' || sub === '') throw invalidToken('Invalid token', 'no sub');
  const client = typeof azp === 'string' ? azp : typeof clientId === 'string' ? clientId : undefined;
  const bound = cnf && typeof cnf === 'object' ? (cnf as Record<string, unknown>)['x5t#S256'] : undefined;
  checkBinding(typeof bound === 'string' ? bound : bound === undefined ? undefined : '', context, now);
  return { userId: sub, clientId: client, scopes: typeof scope === 'string' ? scope.split(' ') : [] };
}

/** RFC 8705 §3: the presented certificate must be the one the token is bound to. */
function checkBinding(thumbprint: string | undefined, context: RequestContext, now: number): void {
  if (thumbprint === undefined) return;
  let presented: string | undefined;
  try {
    presented = context.certificate ? parseCertificate(context.certificate, now).thumbprint : undefined;
  } catch {
    presented = undefined;
  }
  if (presented !== thumbprint) throw invalidToken('Invalid token', 'certificate-bound token without its certificate');
}
