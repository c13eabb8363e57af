import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTHeaderParameters } from 'jose';

/**
 * Verifies a client_credentials access token the way a resource server would — signature
 * against the server's published JWKS, `iss`, `aud`, `exp` — and checks Auth0's claims
 * (reference §3.3, §15.1): `sub` = `<client_id>@clients`, `azp`, `gty` = `client-credentials`.
 */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

export interface ExpectedToken {
  readonly baseUrl: string;
  readonly issuer: string;
  readonly audience: string;
  readonly clientId: string;
  /** The expected `scope` claim; undefined means the claim must be absent. */
  readonly scope: string | undefined;
  readonly algorithms?: string[];
}

export async function verifyClientCredentialsToken(
  token: unknown,
  expected: ExpectedToken,
): Promise<{ payload: JWTPayload; protectedHeader: JWTHeaderParameters }> {
  assert.equal(typeof token, 'string', 'access_token must be a string');
  let jwks = keySets.get(expected.baseUrl);
  if (!jwks) keySets.set(expected.baseUrl, (jwks = createRemoteJWKSet(new URL(`${expected.baseUrl}/.well-known/jwks.json`))));
  const verified = await jwtVerify(token as string, jwks, {
    issuer: expected.issuer,
    audience: expected.audience,
    algorithms: expected.algorithms ?? ['RS256'],
  });
  const { payload } = verified;
  assert.equal(payload.sub, `${expected.clientId}@clients`);
  assert.equal(payload.azp, expected.clientId);
  assert.equal(payload.gty, 'client-credentials');
  assert.equal(payload.aud, expected.audience, 'aud is the API identifier as a string');
  assert.equal(payload.scope, expected.scope);
  assert.ok(Number(payload.exp) > Number(payload.iat));
  return verified;
}
