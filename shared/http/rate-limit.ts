import { tooManyRequests } from '../errors.ts';
import { log } from '../log.ts';
import { bucketSetting, type BucketName } from '../rate-limit/policy.ts';
import { consume, type RateDecision } from '../store/rate-limits.ts';
import type { TenantConfig } from '../tenant/model.ts';

export interface RateLimitOptions {
  /** Buckets this endpoint draws from, besides the tenant-wide `global` one. */
  readonly buckets: readonly BucketName[];
}

/**
 * Draws one token from the tenant-wide global bucket and from each endpoint bucket (Auth0
 * evaluates the global limit first, §16.1) and reports the tightest in `X-RateLimit-*`.
 * A refusal is a 429 carrying those headers and `Retry-After`. If DynamoDB fails, the
 * request goes through: rate limits fail open, one-time artefacts fail closed (aws-notes §4.2).
 */
export function rateLimit(options: RateLimitOptions) {
  const names: BucketName[] = ['global', ...options.buckets];
  return async function rateLimitBefore(tenant: TenantConfig): Promise<Record<string, string>> {
    let tightest: RateDecision | undefined;
    for (const name of names) {
      let decision: RateDecision;
      try {
        decision = await consume(name, bucketSetting(tenant.settings, name));
      } catch (error) {
        log.warn('rate limit unavailable, failing open', { bucket: name, error: String(error) });
        continue;
      }
      if (!tightest || !decision.allowed || decision.remaining < tightest.remaining) tightest = decision;
      if (!decision.allowed) break;
    }
    return tightest ? answerFor(tightest) : {};
  };
}

/**
 * Auth0's `X-RateLimit-*` headers for a bucket's decision (reference §16.1); a refusal is
 * thrown as a 429 carrying them and `Retry-After`.
 */
export function answerFor(decision: RateDecision): Record<string, string> {
  const headers = {
    'X-RateLimit-Limit': String(decision.limit),
    'X-RateLimit-Remaining': String(decision.remaining),
    'X-RateLimit-Reset': String(decision.reset),
  };
  if (!decision.allowed) {
    throw tooManyRequests('Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.', {
      headers: { ...headers, 'Retry-After': String(decision.retryAfter) },
    });
  }
  return headers;
}
