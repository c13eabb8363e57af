import { createHash } from 'node:crypto';
import type { UserRecord } from '../store/users.ts';
import type { ClientRecord, SigningAlg } from '../tenant/model.ts';
import { profileClaims } from '../users/claims.ts';
import { signJwt } from './signer.ts';

/**
 * ID tokens as Auth0 issues them (reference §15.2, OIDC Core §2): signed with the client's
 * `jwt_configuration.alg`, living `lifetime_in_seconds`, `aud` the client id as a string (so
 * no `azp`: OIDC Core §2 wants it only with several audiences), `auth_time` the session's,
 * `nonce` when one was sent to /authorize — never on a refresh (the caller leaves it out) —
 * `sid` for logout, and the profile claims the scopes allow.
 */
export interface IdTokenInput {
  readonly issuer: string;
  readonly client: ClientRecord;
  readonly user: UserRecord;
  readonly scopes: readonly string[];
  readonly authTime: number;
  readonly nonce?: string;
  readonly sid?: string;
  /** The access token returned in the same authorization response: `at_hash` (OIDC Core §3.2.2.10, §3.3.2.11). */
  readonly accessToken?: string;
  /** The code returned in the same authorization response (hybrid flow): `c_hash` (OIDC Core §3.3.2.11). */
  readonly code?: string;
  /** Authentication methods (OIDC Core §2 `amr`): `["mfa"]` once a second factor passed, kept on refresh. */
  readonly amr?: readonly string[];
  readonly now?: number;
}

export async function issueIdToken(input: IdTokenInput): Promise<string> {
  const { alg, lifetime_in_seconds: lifetime } = input.client.jwt_configuration;
  const iat = Math.floor((input.now ?? Date.now()) / 1000);
  const payload: Record<string, unknown> = {
    ...profileClaims(input.user, input.scopes),
    iss: input.issuer,
    sub: input.user.user_id,
    aud: input.client.client_id,
    iat,
    exp: iat + lifetime,
    auth_time: input.authTime,
  };
  if (input.nonce !== undefined) payload.nonce = input.nonce;
  if (input.sid !== undefined) payload.sid = input.sid;
  if (input.amr?.length) payload.amr = [...input.amr];
  if (input.accessToken !== undefined) payload.at_hash = leftHalfHash(input.accessToken, alg);
  if (input.code !== undefined) payload.c_hash = leftHalfHash(input.code, alg);
  return signJwt(payload, alg);
}

/**
 * OIDC Core §3.3.2.11: base64url of the left-most half of the hash of the ASCII octets of the
 * value, with the hash of the ID token's `alg` (SHA-256 for every algorithm we sign with).
 */
export function leftHalfHash(value: string, alg: SigningAlg): string {
  const digest = createHash(hashOf(alg)).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

function hashOf(alg: SigningAlg): string {
  // RS256, PS256 and ES256 all hash with SHA-256; a new algorithm must say its hash here.
  if (alg.endsWith('256')) return 'sha256';
  throw new Error(`no hash for ${alg}`);
}
