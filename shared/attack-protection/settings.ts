import type { AttackProtectionSettings, TenantSettings } from '../tenant/model.ts';

/**
 * Auth0's attack-protection defaults (reference §16.5, §16.6): on for every tenant. Brute
 * force blocks an identifier from one IP after 10 failures and emails the user; suspicious-IP
 * throttling allows 100 failed logins per IP per day (then one every 864 s) and 50 signups per
 * IP per minute (then one every 1.2 s).
 */
export const attackProtectionDefaults: AttackProtectionSettings = {
  brute_force: {
    enabled: true,
    max_attempts: 10,
    shields: ['block', 'user_notification'],
    mode: 'count_per_identifier_and_ip',
    allowlist: [],
  },
  suspicious_ip: {
    enabled: true,
    shields: ['block'],
    allowlist: [],
    pre_login: { max_attempts: 100, rate: 864_000 },
    pre_user_registration: { max_attempts: 50, rate: 1_200 },
  },
};

export function attackProtection(settings: TenantSettings): AttackProtectionSettings {
  return settings.attack_protection ?? attackProtectionDefaults;
}
