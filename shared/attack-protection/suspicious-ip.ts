import { counterKey, refundToken, spendToken, type ExactBucket } from '../store/attack-counters.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { isAllowlisted } from './allowlist.ts';
import { suspiciousIp } from './errors.ts';
import { attackProtection } from './settings.ts';

/**
 * Suspicious-IP throttling of logins (reference §16.6): each IP has a bucket of failed logins
 * across all accounts — Auth0's `pre-login` stage, 100 attempts refilled one per 864 s, i.e.
 * 100 a day. Once it is empty every login from the IP is refused, the right password included,
 * until a token is back. Allowlisted IPs are exempt; without the `block` shield the bucket is
 * only counted (monitoring).
 *
 * Only failures spend, but an attempt takes its token *before* the password is checked and a
 * success gives it back: otherwise many concurrent guesses would all see the last token and all
 * be checked.
 */
export function loginBucket(tenant: TenantConfig): ExactBucket {
  const stage = attackProtection(tenant.settings).suspicious_ip.pre_login;
  return { burst: stage.max_attempts, intervalMs: stage.rate };
}

export const loginBucketKey = (ip: string) => counterKey('sip-login', ip);

/** A login attempt's token: `refund` gives it back once the attempt turns out to be a success. */
export interface IpAttempt {
  refund(): Promise<void>;
}

const nothingSpent: IpAttempt = { refund: async () => {} };

/** Takes one token of `ip`'s failed-login budget; 429 too_many_attempts when there is none left. */
export async function spendLoginAttempt(tenant: TenantConfig, ip: string, now = Date.now()): Promise<IpAttempt> {
  const settings = attackProtection(tenant.settings).suspicious_ip;
  if (!settings.enabled || isAllowlisted(ip, settings.allowlist)) return nothingSpent;
  const key = loginBucketKey(ip);
  const bucket = loginBucket(tenant);
  const { spent, state } = await spendToken(key, bucket, { now });
  if (!spent) {
    if (settings.shields.includes('block')) throw suspiciousIp(state.retryAfter);
    return nothingSpent;
  }
  // Refunded as of the same instant it was spent, so the refund mirrors the spend exactly.
  return { refund: () => refundToken(key, bucket, { now }) };
}
