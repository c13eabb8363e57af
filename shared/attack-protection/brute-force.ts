import type { DatabaseConnection } from '../connections/database.ts';
import { clearCounter, counterKey, recordFailure } from '../store/attack-counters.ts';
import type { UserRecord } from '../store/users.ts';
import type { AttackProtectionSettings, TenantConfig } from '../tenant/model.ts';
import { isAllowlisted } from './allowlist.ts';
import { attackProtection } from './settings.ts';

/**
 * Brute-force protection (reference §16.5): failed logins are counted per identifier and IP
 * (or per identifier alone, Auth0's `count_per_identifier` — "account lockout"), unknown
 * identifiers included; past `max_attempts` the pair is blocked. A block lifts 30 days after the
 * last attempt (the count's lifetime), on the unblock link or a password reset (both stamp the
 * user's `unblocked_at`, and counts begun before it no longer count), or when the threshold is
 * raised (the block is the count compared with today's threshold); a successful login resets
 * the count.
 *
 * Every attempt is counted *before* its password is checked and a success clears the count, so
 * of many concurrent guesses exactly `max_attempts` are checked: counting after the check would
 * let every guess in flight read the same count and pass.
 */
export const blockLifetimeMs = 30 * 24 * 3600 * 1000;

export type BruteForceSettings = AttackProtectionSettings['brute_force'];

/** The counter a login attempt falls under, or undefined when brute-force protection does not apply to it. */
export interface BruteForceGuard {
  readonly key: string;
  readonly settings: BruteForceSettings;
}

/** Any connection with Auth0's per-connection `brute_force_protection` switch: database and passwordless alike. */
export function bruteForceGuard(tenant: TenantConfig, connection: Pick<DatabaseConnection, 'name' | 'bruteForceProtection'>, identifier: string, ip: string): BruteForceGuard | undefined {
  const settings = attackProtection(tenant.settings).brute_force;
  if (!settings.enabled || !connection.bruteForceProtection) return undefined;
  // With auth0-forwarded-for from a trusted client, `ip` is the forwarded one: only it is evaluated.
  if (isAllowlisted(ip, settings.allowlist)) return undefined;
  return { key: bruteForceKey(connection.name, identifier, settings.mode === 'count_per_identifier' ? undefined : ip), settings };
}

/** Identifiers are case-insensitive (emails and usernames are unique regardless of case). */
export function bruteForceKey(connection: string, identifier: string, ip: string | undefined): string {
  const id = identifier.toLowerCase();
  return ip === undefined ? counterKey('bf-id', connection, id) : counterKey('bf', connection, id, ip);
}

export interface LoginAttempt {
  /** The count this attempt makes. */
  readonly failures: number;
  /** The pair was already at the threshold: refuse without checking the password. */
  readonly blocked: boolean;
  /** This attempt, if it fails, is the one that reaches the threshold (exactly one per block): notify. */
  readonly reachedLimit: boolean;
}

/**
 * Counts one attempt for the guard's pair while `user` is still being looked up (one round trip
 * instead of two); a count that turns out to have begun before the user's last unblock is
 * started over (rare: only the first attempt after an unblock).
 */
export async function recordLoginAttempt(guard: BruteForceGuard, user: Promise<UserRecord | undefined> | UserRecord | undefined, now = Date.now()): Promise<LoginAttempt> {
  const [counted, found] = await Promise.all([recordFailure(guard.key, { ttlMs: blockLifetimeMs, now }), user]);
  const resetBefore = found?.unblocked_at ? Date.parse(found.unblocked_at) || 0 : 0;
  const { failures } = counted.windowStart < resetBefore ? await recordFailure(guard.key, { ttlMs: blockLifetimeMs, resetBefore, now }) : counted;
  const max = guard.settings.max_attempts;
  // Without the `block` shield Auth0 only watches (monitoring mode).
  return { failures, blocked: guard.settings.shields.includes('block') && failures > max, reachedLimit: failures === max };
}

/** A successful login resets the count. */
export function clearLoginFailures(guard: BruteForceGuard): Promise<void> {
  return clearCounter(guard.key);
}
