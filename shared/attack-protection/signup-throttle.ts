import type { TenantConfig } from '../tenant/model.ts';

/**
 * STUB (owned by the attack-protection helper): suspicious-IP throttling of signups
 * (reference §16.6): throws 429 too_many_attempts when `ip` has used up its signup budget;
 * every call spends one attempt, successful or not.
 */
export async function checkSignupAllowed(_tenant: TenantConfig, _ip: string): Promise<void> {
  throw new Error('checkSignupAllowed: not implemented yet');
}
