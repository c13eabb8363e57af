import type { RateLimitSetting, TenantSettings } from '../tenant/model.ts';

/**
 * Rate-limit buckets and their defaults, from Auth0's published tables (reference §16.2,
 * §16.3). A tenant overrides any bucket in its tenant file under `tenant.rate_limits`.
 * Each bucket is a token bucket: `burst` is its size, `per_second` its refill rate.
 */
export const bucketDefaults = {
  /** The global Authentication API limit of an Enterprise tenant (§16.2), per tenant. */
  global: { burst: 100, per_second: 100 },
  /** `GET /.well-known/jwks.json`: 20 burst, 20/s (§16.3). */
  jwks: { burst: 20, per_second: 20 },
} as const satisfies Record<string, RateLimitSetting>;

export type BucketName = keyof typeof bucketDefaults;

export function bucketSetting(settings: TenantSettings, name: BucketName): RateLimitSetting {
  return settings.rate_limits[name] ?? bucketDefaults[name];
}
