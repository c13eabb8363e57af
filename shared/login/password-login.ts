import { canonicalIp } from '../attack-protection/allowlist.ts';
import { bruteForceGuard, clearLoginFailures, recordLoginAttempt, type BruteForceGuard } from '../attack-protection/brute-force.ts';
import { blockedAccount, userBlocked } from '../attack-protection/errors.ts';
import { spendLoginAttempt } from '../attack-protection/suspicious-ip.ts';
import { sendUnblockNotice } from '../attack-protection/unblock-notice.ts';
import type { DatabaseConnection } from '../connections/database.ts';
import { hashPassword, verifyNothing, verifyPassword } from '../crypto/password.ts';
import { invalidGrant } from '../errors.ts';
import { findUserByLogin, recordLogin, type UserRecord } from '../store/users.ts';
import type { TenantConfig } from '../tenant/model.ts';

/**
 * One username/password login against a database connection, with brute-force protection and
 * suspicious-IP throttling around it, bcrypt → argon2id rehash on success. Used by the password
 * grants and the login page.
 *
 * Throws OAuthError: 403 invalid_grant "Wrong email or password." (unknown user too, same
 * timing), 429 too_many_attempts (blocked pair / suspicious IP), 401 unauthorized
 * "user is blocked" (administrator block).
 */
export interface PasswordLoginInput {
  readonly tenant: TenantConfig;
  readonly connection: DatabaseConnection;
  /** Email or username, as typed. */
  readonly identifier: string;
  readonly password: string;
  /** The end user's IP (RequestContext.clientIp, or a trusted auth0-forwarded-for). */
  readonly ip: string;
  readonly clientId: string;
  /** Base URL for links in notification emails (the request's issuer). */
  readonly issuer: string;
}

/** Auth0's answer to every wrong credential, whether the user exists or not (reference §1.4). */
const wrongCredentials = () => invalidGrant('Wrong email or password.');

/**
 * No stored email (320) or username (128) is longer: a longer identifier names nobody, and is
 * not looked up — as a DynamoDB key it could pass the 2 KiB key limit and fail the request.
 */
const maxIdentifierLength = 320;
const findUser = (connection: string, identifier: string) =>
  identifier.length > maxIdentifierLength ? Promise.resolve(undefined) : findUserByLogin(connection, identifier);

export async function passwordLogin(input: PasswordLoginInput): Promise<UserRecord> {
  const { tenant, connection, identifier, password } = input;
  const ip = canonicalIp(input.ip);
  const now = Date.now();
  const guard = bruteForceGuard(tenant, connection, identifier, ip);

  // Every attempt takes its place in the counters before the password is checked (a success
  // gives it back), so concurrent guesses cannot all slip under a threshold. The IP's budget,
  // the pair's count and the user lookup go in parallel, one round trip; Auth0's order of
  // refusals is kept: the suspicious IP first, then the blocked pair (an attempt the IP throttle
  // refuses has then counted for the pair too: it was one more guess at that identifier).
  const lookup = findUser(connection.name, identifier);
  const [ipAttempt, user, attempt] = await Promise.all([
    settled(spendLoginAttempt(tenant, ip, now)),
    lookup,
    guard ? recordLoginAttempt(guard, lookup, now) : undefined,
  ]);
  if (ipAttempt.error !== undefined) throw ipAttempt.error;
  if (attempt?.blocked) throw blockedAccount();

  let check: { ok: boolean; needsRehash: boolean } | undefined;
  // A user without a password (none is stored for passwordless users) cannot log in with one.
  if (user?.password_hash) check = await verifyPassword(password, user.password_hash);
  else await verifyNothing(password); // an unknown identifier costs what a wrong password costs

  if (!user || !check?.ok) {
    if (guard && attempt?.reachedLimit && user) await notifyBlocked(input, guard, user, ip);
    throw wrongCredentials();
  }
  if (user.blocked) throw userBlocked(); // only once the password is right: no account probing

  const passwordHash = check.needsRehash ? await hashPassword(password) : undefined;
  const [updated] = await Promise.all([
    recordLogin(user.user_id, { at: new Date(now), ...(passwordHash ? { password_hash: passwordHash } : {}) }),
    guard ? clearLoginFailures(guard) : undefined,
    ipAttempt.value?.refund(),
  ]);
  return updated ?? user;
}

/** The failure that blocks a pair emails the user an unblock link (shield `user_notification`); no email for unknown identifiers. */
async function notifyBlocked(input: PasswordLoginInput, guard: BruteForceGuard, user: UserRecord, ip: string): Promise<void> {
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
