import { canonicalIp } from '../attack-protection/allowlist.ts';
import { bruteForceGuard, clearLoginFailures, recordLoginAttempt, type BruteForceGuard } from '../attack-protection/brute-force.ts';
import { blockedAccount } from '../attack-protection/errors.ts';
import { spendLoginAttempt } from '../attack-protection/suspicious-ip.ts';
import { sendUnblockNotice } from '../attack-protection/unblock-notice.ts';
import type { DatabaseConnection } from '../connections/database.ts';
import type { UserRecord } from '../store/users.ts';
import type { TenantConfig } from '../tenant/model.ts';

/**
 * The attack protection around one login, whatever the credential (password-login.ts,
 * passwordless-login.ts): suspicious-IP throttling and brute-force protection per identifier
 * and IP. Every attempt takes its place in the counters before the credential is checked (a
 * success gives it back), so concurrent guesses cannot all slip under a threshold. The IP's
 * budget, the pair's count and the user lookup go in parallel, one round trip; Auth0's order
 * of refusals is kept: the suspicious IP first, then the blocked pair (an attempt the IP
 * throttle refuses has then counted for the pair too: it was one more guess at that
 * identifier). Throws 429 too_many_attempts for either.
 */
export interface GuardedLoginInput {
  readonly tenant: TenantConfig;
  readonly connection: Pick<DatabaseConnection, 'name' | 'bruteForceProtection'>;
  /** The identifier as the counters (and the unblock email) name it. */
  readonly identifier: string;
  /** The end user's IP (RequestContext.clientIp, or a trusted auth0-forwarded-for). */
  readonly ip: string;
  /** Base URL for links in notification emails (the request's issuer). */
  readonly issuer: string;
  readonly now: number;
  /** The user the identifier names, looked up by the caller's rule. */
  readonly lookup: Promise<UserRecord | undefined>;
}

export interface GuardedLogin {
  /** The lookup's answer. */
  readonly user: UserRecord | undefined;
  /** A wrong credential: the failure that blocks the pair emails the user an unblock link. Call it before refusing. */
  failed(): Promise<void>;
  /** A right credential: the pair's failures are cleared and the IP's attempt given back. Runs alongside recording the login. */
  succeeded(): Promise<void>;
}

export async function guardLogin(input: GuardedLoginInput): Promise<GuardedLogin> {
  const { tenant, connection, identifier, now, lookup } = input;
  const ip = canonicalIp(input.ip);
  const guard = bruteForceGuard(tenant, connection, identifier, ip);
  const [ipAttempt, user, attempt] = await Promise.all([
    settled(spendLoginAttempt(tenant, ip, now)),
    lookup,
    guard ? recordLoginAttempt(guard, lookup, now) : undefined,
  ]);
  if (ipAttempt.error !== undefined) throw ipAttempt.error;
  if (attempt?.blocked) throw blockedAccount();
  return {
    user,
    async failed() {
      if (guard && attempt?.reachedLimit && user) await notifyBlocked(input, guard, user, ip);
    },
    async succeeded() {
      await Promise.all([guard ? clearLoginFailures(guard) : undefined, ipAttempt.value?.refund()]);
    },
  };
}

/** Shield `user_notification`: the unblock link; no email for unknown identifiers (nor users without one). */
async function notifyBlocked(input: GuardedLoginInput, guard: BruteForceGuard, user: UserRecord, ip: string): Promise<void> {
  if (!guard.settings.shields.includes('user_notification')) return;
  await sendUnblockNotice({
    user,
    connection: input.connection.name,
    identifier: input.identifier,
    ip,
    counter: guard.key,
    issuer: input.issuer,
    tenantName: input.tenant.settings.friendly_name,
  });
}

/** A promise's value or the error it rejects with, so a parallel read can finish before it is judged. */
async function settled<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error: error ?? new Error('rejected') };
  }
}
