import { createPublicKey, type KeyObject } from 'node:crypto';
import { compactVerify } from 'jose';
import { runtimeConfig } from '../config.ts';
import { invalidRequest } from '../errors.ts';
import type { RequestContext } from '../http/request-context.ts';
import type { ClientRecord, TenantConfig } from '../tenant/model.ts';
import { signingAlgs } from '../tenant/model.ts';
import { keyset } from './keyset.ts';

/**
 * `id_token_hint` of OpenID Connect RP-Initiated Logout 1.0 §2: an ID token we issued,
 * naming the user, the session (`sid`) and the application (`aud`) that asks for the logout.
 *
 * What is checked: the signature, by a key of our own keyset (next and previous keys
 * included: every key the JWKS publishes); `iss` is one of our issuers; `aud` names an
 * application of this tenant (an access token names APIs and /userinfo, never a client, so it
 * cannot pass as a hint); it is not a Logout Token. What is not: `exp` — the RP's latest ID
 * token has usually expired by the time the user logs out, and §2 says the OP SHOULD accept
 * it ("even when the exp time has passed"); nor `nonce`, which belongs to the login.
 */
export interface IdTokenHint {
  readonly client: ClientRecord;
  readonly sub: string;
  readonly sid: string | undefined;
}

/** An ID token is a few kilobytes; anything far larger is not one of ours. */
const maxLength = 16 * 1024;

export async function verifyIdTokenHint(token: string, tenant: TenantConfig, context: RequestContext): Promise<IdTokenHint> {
  const invalid = (detail: string) => invalidRequest('The id_token_hint parameter is not a valid ID token issued by this server', { detail });
  if (token.length > maxLength) throw invalid('too long');

  const { keys } = await keyset();
  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(
      token,
      (header) => {
        const key = keys.find((k) => k.kid === header.kid && k.alg === header.alg);
        if (!key) throw new Error('unknown kid');
        return publicKeyOf(key.kid, key.key);
      },
      { algorithms: [...signingAlgs] },
    ));
  } catch (error) {
    throw invalid(`signature: ${error instanceof Error ? error.message : String(error)}`);
  }
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(new TextDecoder().decode(payloadBytes)) as Record<string, unknown>;
  } catch {
    throw invalid('payload is not JSON');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw invalid('payload is not an object');
  if (typeof claims.iss !== 'string' || !ourIssuers(tenant, context).has(claims.iss)) throw invalid('iss is not ours');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw invalid('no sub');
  if ('events' in claims) throw invalid('a logout token');

  const audiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud.filter((a): a is string => typeof a === 'string') : [];
  // OIDC Core §2: with several audiences `azp` names the client the token was issued to.
  const clientId = typeof claims.azp === 'string' ? claims.azp : audiences.length === 1 ? audiences[0] : undefined;
  if (!clientId || !audiences.includes(clientId)) throw invalid('aud names no single client');
  const client = tenant.clients.get(clientId);
  if (!client) throw invalid('aud is not a client of this tenant');
  return { client, sub: claims.sub, sid: typeof claims.sid === 'string' && claims.sid !== '' ? claims.sid : undefined };
}

/** The configured issuer, the issuer of this request and every custom domain's. */
function ourIssuers(tenant: TenantConfig, context: RequestContext): Set<string> {
  const issuers = new Set([runtimeConfig().issuer, context.issuer]);
  for (const domain of tenant.customDomains.keys()) issuers.add(`https://${domain}/`);
  return issuers;
}

const publicKeys = new Map<string, KeyObject>();

function publicKeyOf(kid: string, privateKey: KeyObject): KeyObject {
  let key = publicKeys.get(kid);
  if (!key) {
    key = createPublicKey(privateKey);
    publicKeys.set(kid, key);
  }
  return key;
}
