import { userBlocked } from '../attack-protection/errors.ts';
import type { DatabaseConnection } from '../connections/database.ts';
import { hashPassword, verifyNothing, verifyPassword } from '../crypto/password.ts';
import { invalidGrant } from '../errors.ts';
import { findUserByLogin, recordLogin, type UserRecord } from '../store/users.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { guardLogin } from './guarded-login.ts';

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
  const now = Date.now();
  // Counted (and refused: suspicious IP, blocked pair) before the password is checked.
  const attempt = await guardLogin({ tenant, connection, identifier, ip: input.ip, issuer: input.issuer, now, lookup: findUser(connection.name, identifier) });
  const { user } = attempt;

  let check: { ok: boolean; needsRehash: boolean } | undefined;
  // A user without a password (none is stored for passwordless users) cannot log in with one.
  if (user?.password_hash) check = await verifyPassword(password, user.password_hash);
  else await verifyNothing(password); // an unknown identifier costs what a wrong password costs

  if (!user || !check?.ok) {
    await attempt.failed();
    throw wrongCredentials();
  }
  if (user.blocked) throw userBlocked(); // only once the password is right: no account probing

  const passwordHash = check.needsRehash ? await hashPassword(password) : undefined;
  const [updated] = await Promise.all([
    recordLogin(user.user_id, { at: new Date(now), ...(passwordHash ? { password_hash: passwordHash } : {}) }),
    attempt.succeeded(),
  ]);
  return updated ?? user;
}
