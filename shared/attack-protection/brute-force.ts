import type { DatabaseConnection } from '../connections/database.ts';
import { clearCounter, counterKey, readFailures, recordFailure, type FailureCounter } from '../store/attack-counters.ts';
import type { UserRecord } from '../store/users.ts';
import type { AttackProtectionSettings, TenantConfig } from '../tenant/model.ts';
import { isAllowlisted } from './allowlist.ts';
import { attackProtection } from './settings.ts';

/**
 * Brute-force protection (reference §16.5): failed logins are counted per identifier and IP
 * (or per identifier alone, Auth0's `count_per_identifier` — "account lockout"), unknown
 * identifiers included; at `max_attempts` the pair is blocked. A block lifts 30 days after the
 * last failure (the count's lifetime), on the unblock link or a password reset (both stamp
 * the user's `unblocked_at`, and counts begun before it no longer count), when the threshold
 * is raised (the block is the count compared with today's threshold), and a successful login
 * resets the count.
 */
export const blockLifetimeMs = 30 * 24 * 3600 * 1000;

export type BruteForceSettings = AttackProtectionSettings['brute_force'];

/** The counter a login attempt falls under, or undefined when brute-force protection does not apply to it. */
export interface BruteForceGuard {
  readonly key: string;
  readonly settings: BruteForceSettings;
}

export function bruteForceGuard(tenant: TenantConfig, connection: DatabaseConnection, identifier: string, ip: string): BruteForceGuard | undefined {
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

const resetBefore = (user: UserRecord | undefined) => (user?.unblocked_at ? Date.parse(user.unblocked_at) || 0 : 0);

/** The live count of the guard's counter, whoever the identifier turns out to be (see `countsFor`). */
export function readLoginFailures(guard: BruteForceGuard, now = Date.now()): Promise<FailureCounter | undefined> {
  return readFailures(guard.key, { now });
}

/** A count as far as it still counts for `user`: one begun before the user's last unblock does not. */
export function countsFor(counter: FailureCounter | undefined, user: UserRecord | undefined): FailureCounter | undefined {
  return counter && counter.windowStart >= resetBefore(user) ? counter : undefined;
}

/** Whether a count blocks logins: at the threshold, and only with the `block` shield (otherwise Auth0's monitoring mode). */
export function isBlocking(guard: BruteForceGuard, counter: FailureCounter | undefined): boolean {
  return counter !== undefined && guard.settings.shields.includes('block') && counter.failures >= guard.settings.max_attempts;
}

/**
 * Counts one failed login. `reachedLimit` is true for exactly one failure per block — the one
 * whose count equals the threshold — so the notification goes out once.
 */
export async function recordLoginFailure(guard: BruteForceGuard, user: UserRecord | undefined, now = Date.now()): Promise<{ failures: number; reachedLimit: boolean }> {
  const failures = await recordFailure(guard.key, { ttlMs: blockLifetimeMs, resetBefore: resetBefore(user), now });
  return { failures, reachedLimit: failures === guard.settings.max_attempts };
}

/** A successful login resets the count. */
export function clearLoginFailures(guard: BruteForceGuard): Promise<void> {
  return clearCounter(guard.key);
}
