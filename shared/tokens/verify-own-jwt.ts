import { createLocalJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { LoadedKeyset } from './keyset.ts';

/**
 * Verifies a JWT this deployment signed (an access token presented back to us): signature by
 * one of the keyset's published keys, `iss`, `aud`, `exp`. The JWKS is built once per loaded
 * keyset. Lives in the layer, so no function bundles its own copy of jose.
 */
export type OwnJwtResult = { readonly ok: true; readonly payload: JWTPayload } | { readonly ok: false; readonly expired: boolean; readonly detail: string };

const algorithms = ['RS256', 'PS256', 'ES256'];
const jwksByKeyset = new WeakMap<LoadedKeyset, ReturnType<typeof createLocalJWKSet>>();

export async function verifyOwnJwt(token: string, loaded: LoadedKeyset, expected: { issuer: string; audience: string; now: number }): Promise<OwnJwtResult> {
  let jwks = jwksByKeyset.get(loaded);
  if (!jwks) jwksByKeyset.set(loaded, (jwks = createLocalJWKSet({ keys: loaded.keys.map((k) => k.publicJwk) })));
  try {
    const { payload } = await jwtVerify(token, jwks, { issuer: expected.issuer, audience: expected.audience, algorithms, currentDate: new Date(expected.now) });
    return { ok: true, payload };
  } catch (error) {
    return { ok: false, expired: error instanceof errors.JWTExpired, detail: `${(error as Error)?.name}: ${(error as Error)?.message}` };
  }
}
