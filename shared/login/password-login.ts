import { canonicalIp } from '../attack-protection/allowlist.ts';
import { bruteForceGuard, clearLoginFailures, countsFor, isBlocking, readLoginFailures, recordLoginFailure, type BruteForceGuard } from '../attack-protection/brute-force.ts';
import { blockedAccount, userBlocked } from '../attack-protection/errors.ts';
import { checkLoginIp, recordFailedLoginIp } from '../attack-protection/suspicious-ip.ts';
import { sendUnblockNotice } from '../attack-protection/unblock-notice.ts';
import type { DatabaseConnection } from '../connections/database.ts';
import { hashPassword, verifyNothing, verifyPassword } from '../crypto/password.ts';
import { invalidGrant } from '../errors.ts';
import { findUserByLogin, updateUser, type UserRecord, type UserUpdate } from '../store/users.ts';
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

  // Independent reads, in parallel; their verdicts are applied in Auth0's order below.
  const [ipCheck, user, failures] = await Promise.all([
    settled(checkLoginIp(tenant, ip, now)),
    findUser(connection.name, identifier),
    guard ? readLoginFailures(guard, now) : undefined,
  ]);
  if (ipCheck) throw ipCheck; // suspicious IP first: that IP gets nothing more
  const counter = countsFor(failures, user);
  if (guard && isBlocking(guard, counter)) throw blockedAccount();

  let check: { ok: boolean; needsRehash: boolean } | undefined;
  if (user) check = await verifyPassword(password, user.password_hash);
  else await verifyNothing(password); // an unknown identifier costs what a wrong password costs

  if (!user || !check?.ok) {
    await recordFailure(input, guard, user, ip, now);
    throw wrongCredentials();
  }
  if (user.blocked) throw userBlocked(); // only once the password is right: no account probing

  const update: UserUpdate = {
    last_login: new Date(now).toISOString(),
    logins_count: (user.logins_count ?? 0) + 1,
    ...(check.needsRehash ? { password_hash: await hashPassword(password) } : {}),
  };
  await Promise.all([updateUser(user.user_id, update), guard && counter ? clearLoginFailures(guard) : undefined]);
  return { ...user, ...update };
}

/** Counts a failed login for the IP and for the identifier; at the threshold, emails an unblock link. */
async function recordFailure(input: PasswordLoginInput, guard: BruteForceGuard | undefined, user: UserRecord | undefined, ip: string, now: number): Promise<void> {
  const [, bruteForce] = await Promise.all([recordFailedLoginIp(input.tenant, ip, now), guard ? recordLoginFailure(guard, user, now) : undefined]);
  if (!guard || !bruteForce?.reachedLimit || !user) return; // no email for identifiers without a user
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

/** The error a promise rejects with, or undefined when it resolves. */
async function settled(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error;
  }
}
