import { counterKey, peekBucket, spendToken, type ExactBucket } from '../store/attack-counters.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { isAllowlisted } from './allowlist.ts';
import { suspiciousIp } from './errors.ts';
import { attackProtection } from './settings.ts';

/**
 * Suspicious-IP throttling of logins (reference §16.6): each IP has a bucket of failed logins
 * across all accounts — Auth0's `pre-login` stage, 100 attempts refilled one per 864 s, i.e.
 * 100 a day. Only failures spend; once the bucket is empty every login from the IP is refused,
 * the right password included, until a token is back. Allowlisted IPs are exempt, and without
 * the `block` shield the bucket is only counted (monitoring).
 */
export function loginBucket(tenant: TenantConfig): ExactBucket {
  const stage = attackProtection(tenant.settings).suspicious_ip.pre_login;
  return { burst: stage.max_attempts, intervalMs: stage.rate };
}

export const loginBucketKey = (ip: string) => counterKey('sip-login', ip);

function applies(tenant: TenantConfig, ip: string): boolean {
  const settings = attackProtection(tenant.settings).suspicious_ip;
  return settings.enabled && !isAllowlisted(ip, settings.allowlist);
}

/** Throws 429 too_many_attempts when `ip` has used up its failed-login budget. */
export async function checkLoginIp(tenant: TenantConfig, ip: string, now = Date.now()): Promise<void> {
  if (!applies(tenant, ip) || !attackProtection(tenant.settings).suspicious_ip.shields.includes('block')) return;
  const state = await peekBucket(loginBucketKey(ip), loginBucket(tenant), { now });
  if (!state.available) throw suspiciousIp(state.retryAfter);
}

/** Spends one token of `ip`'s failed-login budget (an empty bucket stays empty). */
export async function recordFailedLoginIp(tenant: TenantConfig, ip: string, now = Date.now()): Promise<void> {
  if (!applies(tenant, ip)) return;
  await spendToken(loginBucketKey(ip), loginBucket(tenant), { now });
}
