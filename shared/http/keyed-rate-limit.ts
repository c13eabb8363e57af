import type { TenantConfig } from '../tenant/model.ts';

/**
 * STUB (owned by the attack-protection helper): an endpoint's own bucket, keyed by what Auth0
 * keys it by (reference §16.3: /userinfo per user id, change_password per IP + email…).
 * Spends one token; returns the `X-RateLimit-*` headers to put on the answer, or throws a 429
 * `too_many_requests` carrying them and `Retry-After`. `bucket` names a bucket of
 * shared/rate-limit/policy.ts; `key` is hashed before it is stored.
 */
export async function limitByKey(_tenant: TenantConfig, _bucket: string, _key: string): Promise<Record<string, string>> {
  throw new Error('limitByKey: not implemented yet');
}
