import { counterKey, spendToken } from '../store/attack-counters.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { canonicalIp, isAllowlisted } from './allowlist.ts';
import { suspiciousIp } from './errors.ts';
import { attackProtection } from './settings.ts';

/**
 * Suspicious-IP throttling of signups (reference §16.6): Auth0's `pre-user-registration`
 * stage, 50 signups per IP refilled one per 1.2 s. Every call spends one attempt, successful
 * or not (callers check malformed requests first: those do not count); an IP with nothing
 * left gets 429 too_many_attempts. Allowlisted IPs are exempt; without the `block` shield the
 * attempts are counted and never refused (monitoring).
 */
export async function checkSignupAllowed(tenant: TenantConfig, ip: string, now = Date.now()): Promise<void> {
  const settings = attackProtection(tenant.settings).suspicious_ip;
  const address = canonicalIp(ip);
  if (!settings.enabled || isAllowlisted(address, settings.allowlist)) return;
  const stage = settings.pre_user_registration;
  const { spent, state } = await spendToken(counterKey('sip-signup', address), { burst: stage.max_attempts, intervalMs: stage.rate }, { now });
  if (!spent && settings.shields.includes('block')) throw suspiciousIp(state.retryAfter);
}
