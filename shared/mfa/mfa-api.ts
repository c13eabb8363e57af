import type { ResourceServerRecord } from '../tenant/model.ts';
import { isMfaAudience as namesMfaApi, mfaApiScopes, mfaAudience } from './policy.ts';

/**
 * The MFA API as a resource server no tenant file declares (reference §8, §15.1): Auth0 answers
 * for `https://<domain>/mfa/` on every tenant, with the scopes `enroll`, `read:authenticators`,
 * `remove:authenticators`, RS256 tokens living a fixed 600 s and no refresh tokens. Asking for
 * it always needs a second factor (shared/mfa/policy.ts mfaApplies).
 */
export const mfaApiTokenLifetimeSeconds = 600;

export function mfaResourceServer(issuer: string): ResourceServerRecord {
  return {
    identifier: mfaAudience(issuer),
    name: 'MFA API',
    signing_alg: 'RS256',
    token_lifetime: mfaApiTokenLifetimeSeconds,
    scopes: [...mfaApiScopes],
    enforce_policies: false,
    token_dialect: 'access_token',
    allow_offline_access: false,
  };
}

/** Whether `audience` is this issuer's MFA API (with or without the trailing slash, as policy.ts reads it). */
export const isMfaAudience = (audience: string | undefined, issuer: string) => audience !== undefined && namesMfaApi(audience, issuer);
