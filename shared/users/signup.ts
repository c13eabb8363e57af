import { checkSignupAllowed } from '../attack-protection/signup-throttle.ts';
import type { DatabaseConnection } from '../connections/database.ts';
import { hashPassword } from '../crypto/password.ts';
import { createUser, type NewUser, type UserRecord } from '../store/users.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { assertPasswordPolicy } from './password-policy.ts';
import { badSignup, invalidSignup, publicSignupDisabled, userExists, usernameExists } from './signup-error.ts';
import { validateUserMetadata } from './user-metadata.ts';

/**
 * Creates a database user as `/dbconnections/signup` and the hosted signup page both do, as a
 * checklist: the connection takes signups, the email and username are well formed, the
 * password meets the connection's policy, the metadata is within limits — then the IP's signup
 * budget (suspicious-IP throttling; malformed requests do not spend it, §16.6), argon2id, and
 * the transaction whose uniqueness guards make one of two concurrent signups with one email
 * fail. Throws `SignupError` (shared/users/signup-error.ts) carrying Auth0's legacy body.
 */
/** The optional root profile attributes a signup may set (reference §6.1). */
export type SignupProfile = Partial<Pick<NewUser, 'given_name' | 'family_name' | 'name' | 'nickname' | 'picture' | 'phone_number'>>;

export interface SignupInput extends SignupProfile {
  readonly tenant: TenantConfig;
  readonly connection: DatabaseConnection;
  readonly clientId: string | undefined;
  readonly ip: string;
  readonly email: string;
  readonly password: string;
  readonly username?: string;
  readonly user_metadata?: Record<string, unknown>;
}

/** Loose on purpose (Auth0 accepts any `local@domain`); the mailbox proves the rest. */
const emailPattern = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** Auth0's username characters: letters, digits and `_+-.!#$^`~@'`. */
const usernamePattern = /^[A-Za-z0-9_+\-.!#$^`~@']+$/;

/** Auth0's default username length (connection option `validation.username`). */
const usernameDefaults = { min: 1, max: 15 };

/** Root profile attributes: the longest each may be. */
const profileLimits = { given_name: 150, family_name: 150, name: 300, nickname: 300, picture: 2_000, phone_number: 32 } as const;
type ProfileField = keyof typeof profileLimits;
const profileFields = Object.keys(profileLimits) as ProfileField[];

export async function signupUser(input: SignupInput): Promise<UserRecord> {
  const { connection } = input;
  if (connection.disableSignup) throw publicSignupDisabled();

  const email = input.email.trim().toLowerCase();
  if (!emailPattern.test(email)) throw badSignup('invalid_signup', 'Invalid email address', 'email format');

  const username = checkUsername(input.username, connection);
  const profile = checkProfile(input);
  if ([...input.password].length > 1_024) throw badSignup('invalid_signup', 'Password is too long');
  assertPasswordPolicy(input.password, connection);
  const user_metadata = input.user_metadata === undefined ? {} : validateUserMetadata(input.user_metadata);

  // Every well-formed attempt spends one of the IP's signups, whether it then succeeds or not.
  await checkSignupAllowed(input.tenant, input.ip);

  const newUser: NewUser = {
    connection: connection.name,
    email,
    ...(username !== undefined ? { username } : {}),
    password_hash: await hashPassword(input.password),
    email_verified: false,
    user_metadata,
    app_metadata: {},
    ...profile,
  };
  const created = await createUser(newUser);
  if (!created.ok) {
    if (created.conflict === 'username') throw usernameExists();
    // Auth0 hides whether an email is taken unless the tenant turns the flag on (reference §6.1).
    throw input.tenant.settings.flags?.enable_public_signup_user_exists_error ? userExists() : invalidSignup('email exists');
  }
  const now = new Date().toISOString();
  return { ...newUser, user_id: created.userId, created_at: now, updated_at: now };
}

function checkUsername(value: string | undefined, connection: DatabaseConnection): string | undefined {
  if (!connection.requiresUsername) {
    if (value !== undefined) throw badSignup('invalid_signup', 'This connection does not use usernames', 'username given');
    return undefined;
  }
  if (value === undefined || value === '') throw badSignup('invalid_signup', 'Missing username');
  const { min, max } = usernameLimits(connection);
  if (value.length < min || value.length > max) {
    throw badSignup('invalid_signup', `The username must have between ${min} and ${max} characters`);
  }
  if (!usernamePattern.test(value)) {
    throw badSignup('invalid_signup', "The username may contain only letters, digits and _+-.!#$^`~@'");
  }
  return value;
}

/** `options.validation.username.{min,max}` when set sensibly, else Auth0's 1–15. */
function usernameLimits(connection: DatabaseConnection): { min: number; max: number } {
  const validation = connection.record.options.validation as { username?: { min?: unknown; max?: unknown } } | undefined;
  const n = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 128 ? v : fallback);
  const min = n(validation?.username?.min, usernameDefaults.min);
  const max = n(validation?.username?.max, usernameDefaults.max);
  return min <= max ? { min, max } : usernameDefaults;
}

function checkProfile(input: SignupInput): Partial<Pick<NewUser, ProfileField>> {
  const profile: Partial<Record<ProfileField, string>> = {};
  for (const field of profileFields) {
    const value = input[field];
    if (value === undefined) continue;
    if (value.length > profileLimits[field]) throw badSignup('invalid_signup', `${field} must have at most ${profileLimits[field]} characters`);
    profile[field] = value;
  }
  if (profile.picture !== undefined && !/^https?:\/\/\S+$/i.test(profile.picture)) {
    throw badSignup('invalid_signup', 'picture must be an http or https URL');
  }
  return profile;
}
