import { sha256Base64Url } from '../crypto/digest.ts';
import { log } from '../log.ts';
import { bucketSetting, isBucketName } from '../rate-limit/policy.ts';
import { consume } from '../store/rate-limits.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { answerFor } from './rate-limit.ts';

/**
 * An endpoint's own bucket, keyed by what Auth0 keys it by (reference §16.3: /userinfo per
 * user id, change_password per IP + email…), drawn after the global one (§16.1).
 * Spends one token; returns the `X-RateLimit-*` headers to put on the answer, or throws a 429
 * `too_many_requests` carrying them and `Retry-After`. `bucket` names a bucket of
 * shared/rate-limit/policy.ts; `key` is hashed before it is stored (it may be an email).
 *
 * These buckets are small (burst 10), so store/rate-limits.ts leases one token at a time:
 * every request is one conditional write, exact across function instances. Like the global
 * limit it fails open when DynamoDB does.
 */
export async function limitByKey(tenant: TenantConfig, bucket: string, key: string): Promise<Record<string, string>> {
  if (!isBucketName(bucket)) throw new Error(`limitByKey: unknown bucket ${bucket}`);
  let decision;
  try {
    decision = await consume(`${bucket}#${sha256Base64Url(key)}`, bucketSetting(tenant.settings, bucket));
  } catch (error) {
    log.warn('rate limit unavailable, failing open', { bucket, error: String(error) });
    return {};
  }
  return answerFor(decision);
}
