import { userBlocked } from '../attack-protection/errors.ts';
import { passwordlessIdentifier, type PasswordlessConnection } from '../connections/passwordless.ts';
import { invalidGrant, OAuthError } from '../errors.ts';
import { counterKey, refundToken, spendToken, type ExactBucket } from '../store/attack-counters.ts';
import { verifyPasswordlessCode } from '../store/passwordless-codes.ts';
import { createUser, findUserByEmail, findUserByPhone, getUser, recordLogin, updateUser, type NewUser, type UserRecord } from '../store/users.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { guardLogin } from './guarded-login.ts';

/**
 * One passwordless login: the code checked (shared/store/passwordless-codes.ts) under
 * brute-force protection and suspicious-IP throttling, then the user found — or created, unless
 * the connection disables signup — and the login recorded. Used by the passwordless OTP grant,
 * the magic link and the hosted page.
 *
 * Throws OAuthError: 403 invalid_grant "Wrong email or verification code." / "Wrong phone
 * number or verification code." (wrong, expired, used, killed, malformed), 429
 * too_many_attempts, 401 unauthorized "user is blocked".
 *
 * Besides the per-code three strikes (which a new /passwordless/start resets) and brute-force
 * protection (per identity AND IP, and optional per connection), every identity has a failure
 * bucket of its own, per connection, whatever the IP and whichever code is live:
 * `identityFailureBucket`. Without it, re-sending from many IPs gives unbounded guesses at one
 * identity (3 per code, forever).
 */
export interface PasswordlessLoginInput {
  readonly tenant: TenantConfig;
  readonly connection: PasswordlessConnection;
  /** The email or E.164 phone number, as sent to /passwordless/start. */
  readonly identifier: string;
  readonly code: string;
  readonly ip: string;
  readonly clientId: string;
  readonly issuer: string;
}

/** Auth0's answers to a wrong code (reference §1.4, §3.7), whichever way it is wrong. */
export const wrongCode = (connection: Pick<PasswordlessConnection, 'strategy'>): OAuthError =>
  invalidGrant(connection.strategy === 'sms' ? 'Wrong phone number or verification code.' : 'Wrong email or verification code.');

/**
 * Wrong passwordless codes per connection and identity: 10, refilled 1 per 6 minutes — the
 * numbers Auth0 publishes for MFA OTP verification failures (reference §16.3), the nearest
 * published limit on guessing one person's codes. At 3 wrong per code that is about 3 codes'
 * worth at once, then one guess per 6 minutes: a 6-digit code is not guessed in its lifetime.
 * Kept in the attack counters (not in the code item), so a new start cannot reset it.
 */
export const identityFailureBucket: ExactBucket = { burst: 10, intervalMs: 6 * 60_000 };

const identityFailureKey = (connection: string, identifier: string) => counterKey('pwdless-failures', connection, identifier);

/** An identity whose failure bucket is empty: refused before its code is looked at, right or wrong (as Auth0's MFA OTP bucket). */
export const tooManyCodeFailures = (retryAfterSeconds?: number) =>
  new OAuthError(429, 'too_many_attempts', 'Too many failed codes. Wait for some minutes before retrying.', {
    headers: retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : {},
  });

/** Codes are short digit strings; anything much longer cannot be one and is not digested. */
const maxCodeLength = 64;

export async function passwordlessLogin(input: PasswordlessLoginInput): Promise<UserRecord> {
  const { tenant, connection } = input;
  // The identity as /passwordless/start keyed its code (lower-cased email, E.164 number).
  const identifier = passwordlessIdentifier(connection, input.identifier);
  // A malformed identity or code is a malformed request: refused without counting (§16.6).
  if (identifier === undefined || input.code.length === 0 || input.code.length > maxCodeLength) throw wrongCode(connection);
  const now = Date.now();
  // Counted (and refused: suspicious IP, blocked pair) before the code is checked, as in
  // password-login.ts. The code store's own three-strikes rule is a second, per-code limit
  // on top of these.
  const attempt = await guardLogin({ tenant, connection, identifier, ip: input.ip, issuer: input.issuer, now, lookup: findUser(connection, identifier) });
  const { user } = attempt;
  // The identity's own budget: a token is spent before the code is looked at and given back
  // when it was right, so of any number of concurrent guesses at most `burst` reach a code.
  const failureKey = identityFailureKey(connection.name, identifier);
  const budget = await spendToken(failureKey, identityFailureBucket, { now });
  if (!budget.spent) throw tooManyCodeFailures(budget.state.retryAfter);

  const check = await verifyPasswordlessCode({ connection: connection.name, identifier, clientId: input.clientId, code: input.code });
  if (!check.ok) {
    await attempt.failed();
    throw wrongCode(connection);
  }
  // Only once the code is right: a refusal before it would tell who has an account.
  if (user?.blocked) throw userBlocked();

  const found = user ?? (await signUp(input, identifier));
  // Receiving the code proves the address (Auth0 marks passwordless email users verified).
  if (found.email !== undefined && connection.strategy === 'email' && found.email_verified !== true) {
    await updateUser(found.user_id, { email_verified: true }, { now: new Date(now) });
  }
  const [updated] = await Promise.all([
    recordLogin(found.user_id, { at: new Date(now) }),
    attempt.succeeded(),
    refundToken(failureKey, identityFailureBucket, { now }),
  ]);
  return updated ?? found;
}

const findUser = (connection: PasswordlessConnection, identifier: string) =>
  connection.strategy === 'sms' ? findUserByPhone(connection.name, identifier) : findUserByEmail(connection.name, identifier);

/**
 * The first login of an identity creates its user (reference §7.1), unless the connection
 * disables signup — then the code cannot have been sent (/passwordless/start refuses unknown
 * identities), and a login without a user is refused as a wrong code. Two first logins at
 * once (two right codes cannot both pass, but a code and a magic link of one start might
 * race with a signup elsewhere): the guard item lets one create; the other reads the winner.
 */
async function signUp(input: PasswordlessLoginInput, identifier: string): Promise<UserRecord> {
  const { connection } = input;
  if (connection.disableSignup) throw wrongCode(connection);
  const sms = connection.strategy === 'sms';
  const user: NewUser = sms
    ? { connection: connection.name, phone_number: identifier, name: identifier, nickname: identifier, email_verified: false, user_metadata: {}, app_metadata: {} }
    : { connection: connection.name, email: identifier, email_verified: true, user_metadata: {}, app_metadata: {} };
  const created = await createUser(user, { idPrefix: sms ? 'sms' : 'email' });
  const winner = created.ok ? await getUser(created.userId) : await findUser(connection, identifier);
  if (!winner) throw new Error(created.ok ? 'passwordless signup: the created user cannot be read back' : 'passwordless signup: the existing user cannot be read');
  if (winner.blocked) throw userBlocked();
  return winner;
}
