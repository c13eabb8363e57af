import type { RateLimitSetting, TenantSettings } from '../tenant/model.ts';

/**
 * Rate-limit buckets and their defaults, from Auth0's published tables (reference §16.2,
 * §16.3). A tenant overrides any bucket in its tenant file under `tenant.rate_limits`.
 * Each bucket is a token bucket: `burst` is its size, `per_second` its refill rate (a fraction
 * for Auth0's per-minute buckets: 5/min is 5/60 a second).
 */
export const bucketDefaults = {
  /** The global Authentication API limit of an Enterprise tenant (§16.2), per tenant. */
  global: { burst: 100, per_second: 100 },
  /** `GET /.well-known/jwks.json`: 20 burst, 20/s (§16.3). */
  jwks: { burst: 20, per_second: 20 },
  /** `GET|POST /userinfo`: 10 burst, 5/min, per user id (§16.3). */
  userinfo: { burst: 10, per_second: 5 / 60 },
  /** `POST /dbconnections/change_password`: 10 burst, 1/min, per IP and email (§16.3). */
  change_password: { burst: 10, per_second: 1 / 60 },
  /** `POST /passwordless/start` (and the hosted page's sends): 50 burst, 50/hour, per IP (§16.3). */
  passwordless_start: { burst: 50, per_second: 50 / 3600 },
  /**
   * Passwordless SMS per recipient phone number: 10 burst, 10/hour. Auth0 publishes no number
   * for passwordless SMS; this is its MFA SMS bucket's size (§16.3) with an hourly refill that
   * lets a person retry a few times, while nobody can bomb one phone (or run up the SNS bill)
   * from many IPs.
   */
  sms: { burst: 10, per_second: 10 / 3600 },
  /** Passwordless emails per recipient address: as `sms` (10 burst, 10/hour) — no inbox flooded from many IPs. */
  email: { burst: 10, per_second: 10 / 3600 },
  /** MFA OOB token exchanges (`mfa-oob` grant): 12 burst, 12/min, per mfa_token — Auth0's "per session" (§16.3). */
  mfa_oob: { burst: 12, per_second: 12 / 60 },
  /** MFA SMS sends (`/mfa/challenge`, `/mfa/associate` with sms): 10 burst, refilled 1/hour, per user (§8.1, §16.3). */
  mfa_sms: { burst: 10, per_second: 1 / 3600 },
  /**
   * MFA email sends (the same two routes and the hosted pages, with email): 10 burst, refilled
   * 1/hour, per user. Auth0 publishes no email number; SMS's bucket is the model, so nobody
   * can flood a mailbox (or the SES quota) through an mfa_token.
   */
  mfa_email: { burst: 10, per_second: 1 / 3600 },
} as const satisfies Record<string, RateLimitSetting>;

export type BucketName = keyof typeof bucketDefaults;

export function isBucketName(name: string): name is BucketName {
  return Object.hasOwn(bucketDefaults, name);
}

export function bucketSetting(settings: TenantSettings, name: BucketName): RateLimitSetting {
  return settings.rate_limits[name] ?? bucketDefaults[name];
}
