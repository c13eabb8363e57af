import { attackProtectionDefaults } from '../../shared/attack-protection/settings.ts';
import type { AttackProtectionSettings } from '../../shared/tenant/model.ts';
import type { Reader } from './fields.ts';

/**
 * The Deploy CLI's `attackProtection` section (`bruteForceProtection`,
 * `suspiciousIpThrottling`, as `a0deploy export` writes them), defaults filled in.
 */
export function planAttackProtection(root: Reader): AttackProtectionSettings {
  const section = root.object('attackProtection');
  const d = attackProtectionDefaults;
  if (!section) return d;
  const bf = section.object('bruteForceProtection');
  const sip = section.object('suspiciousIpThrottling');
  const stage = sip?.object('stage');
  const preLogin = stage?.object('pre-login');
  const preSignup = stage?.object('pre-user-registration');
  return {
    brute_force: {
      enabled: bf?.boolean('enabled', d.brute_force.enabled) ?? d.brute_force.enabled,
      max_attempts: bf?.integer('max_attempts', { min: 1, max: 100, fallback: d.brute_force.max_attempts }) ?? d.brute_force.max_attempts,
      shields: shields(bf, ['block', 'user_notification'] as const) ?? d.brute_force.shields,
      mode: bf?.oneOf('mode', ['count_per_identifier_and_ip', 'count_per_identifier'] as const, d.brute_force.mode) ?? d.brute_force.mode,
      allowlist: allowlist(bf),
    },
    suspicious_ip: {
      enabled: sip?.boolean('enabled', d.suspicious_ip.enabled) ?? d.suspicious_ip.enabled,
      shields: shields(sip, ['block', 'admin_notification'] as const) ?? d.suspicious_ip.shields,
      allowlist: allowlist(sip),
      pre_login: throttlingStage(preLogin, d.suspicious_ip.pre_login),
      pre_user_registration: throttlingStage(preSignup, d.suspicious_ip.pre_user_registration),
    },
  };
}

/** A throttling stage: bucket size and milliseconds per token, Auth0's defaults where absent. */
function throttlingStage(r: Reader | undefined, fallback: { max_attempts: number; rate: number }): { max_attempts: number; rate: number } {
  return {
    max_attempts: r?.integer('max_attempts', { min: 1, max: 100_000, fallback: fallback.max_attempts }) ?? fallback.max_attempts,
    rate: r?.integer('rate', { min: 1, max: 864_000_000, fallback: fallback.rate }) ?? fallback.rate,
  };
}

function shields<T extends string>(r: Reader | undefined, allowed: readonly T[]): T[] | undefined {
  const list = r?.strings('shields');
  if (!list || !r) return undefined;
  for (const s of list) if (!allowed.includes(s as T)) r.problems.add(r.at('shields'), `${s} is not one of ${allowed.join(', ')}`);
  return list.filter((s): s is T => allowed.includes(s as T));
}

/** IPv4/IPv6 addresses or CIDR ranges (checked by shared/attack-protection/allowlist.ts at use). */
function allowlist(r: Reader | undefined): string[] {
  const list = r?.strings('allowlist') ?? [];
  const ipOrCidr = /^[0-9A-Fa-f:.]+(\/\d{1,3})?$/;
  for (const entry of list) if (r && !ipOrCidr.test(entry)) r.problems.add(r.at('allowlist'), `${entry} is not an IP address or CIDR range`);
  return list.filter((e) => ipOrCidr.test(e));
}
