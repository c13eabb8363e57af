import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { invalidClient } from '../errors.ts';
import { firstUse } from '../store/replay-guards.ts';
import type { ClientRecord, PrivateKeyJwtCredential } from '../tenant/model.ts';

/**
 * private_key_jwt (RFC 7523 §2.2) with Auth0's rules (reference §1.3): `iss` = `sub` =
 * client_id, `aud` the issuer (RFC 7523 also allows the token endpoint URL), `exp` required,
 * at most 5 minutes of lifetime, 10 s of clock skew, `alg` as registered with the
 * credential, at most 2,048 bytes, `iss`/`sub`/`jti` at most 64 characters, and `jti` single
 * use — remembered with a conditional write until the assertion expires.
 */
export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const limits = { maxBytes: 2048, maxClaimLength: 64, maxLifetimeSeconds: 300, skewSeconds: 10 };

const publicKeys = new Map<string, KeyObject>();

function publicKeyOf(credential: PrivateKeyJwtCredential): KeyObject {
  let key = publicKeys.get(credential.pem);
  if (!key) {
    key = createPublicKey(credential.pem);
    publicKeys.set(credential.pem, key);
  }
  return key;
}

/** The client id an assertion claims, read without verification (only to find the client). */
export function assertionSubject(assertion: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload?.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

export async function verifyClientAssertion(assertion: string, client: ClientRecord, audiences: string[]): Promise<void> {
  const fail = (detail: string, description = 'Invalid client assertion') => invalidClient(description, { detail });
  if (assertion.length > limits.maxBytes) throw fail('assertion longer than 2048 bytes');
  let alg: string | undefined;
  let kid: string | undefined;
  try {
    ({ alg, kid } = decodeProtectedHeader(assertion));
  } catch {
    throw fail('assertion header is not a JWS header');
  }
  // Untrusted JSON: `alg` or `kid` may be any value, even one that cannot become a string.
  if (typeof alg !== 'string' || (kid !== undefined && typeof kid !== 'string')) {
    throw fail('assertion header alg or kid is not a string');
  }
  // A `kid` naming a registered credential narrows the search; any other kid (a client's own
  // key id) does not, and every credential registered for the algorithm is tried.
  const sameAlg = (client.client_authentication_methods?.private_key_jwt?.credentials ?? []).filter((c) => c.alg === alg);
  const named = sameAlg.filter((c) => c.id === kid);
  const credentials = named.length > 0 ? named : sameAlg;
  if (credentials.length === 0) throw fail(`no credential registered for alg ${alg} kid ${kid}`);

  let payload: Record<string, unknown> | undefined;
  let lastError: unknown;
  for (const credential of credentials) {
    try {
      ({ payload } = await jwtVerify(assertion, publicKeyOf(credential), {
        algorithms: [credential.alg],
        issuer: client.client_id,
        subject: client.client_id,
        audience: audiences,
        requiredClaims: ['exp', 'jti'],
        clockTolerance: limits.skewSeconds,
      }));
      break;
    } catch (error) {
      lastError = error;
    }
  }
  if (!payload) {
    const reason = lastError instanceof joseErrors.JOSEError ? lastError.code : 'verification failed';
    throw fail(`assertion rejected: ${reason}`);
  }
  const { jti, exp, iat } = payload as { jti: unknown; exp: number; iat?: unknown };
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > limits.maxClaimLength || client.client_id.length > limits.maxClaimLength) {
    throw fail('jti, iss or sub too long or empty');
  }
  const now = Math.floor(Date.now() / 1000);
  const issuedAt = typeof iat === 'number' ? iat : now;
  if (exp - Math.min(issuedAt, now) > limits.maxLifetimeSeconds + limits.skewSeconds) {
    throw fail('assertion lifetime above 5 minutes', 'Client assertion lifetime must not exceed 5 minutes');
  }
  if (!(await firstUse(`jti#${client.client_id}`, jti, exp + limits.skewSeconds, now))) {
    throw fail('jti replayed', 'Client assertion jti has already been used');
  }
}
