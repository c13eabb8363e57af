import type { DatabaseConnection } from '../connections/database.ts';
import type { UserRecord } from '../store/users.ts';
import type { TenantConfig } from '../tenant/model.ts';

/**
 * STUB (owned by the users/dbconnections helper): creates a database user as
 * `/dbconnections/signup` and the hosted signup page both do — validation, password policy,
 * argon2id, uniqueness, signup throttling. Throws `SignupError` (shared/users/signup-error.ts)
 * carrying Auth0's legacy body; pages show its `message`.
 */
export interface SignupInput {
  readonly tenant: TenantConfig;
  readonly connection: DatabaseConnection;
  readonly clientId: string | undefined;
  readonly ip: string;
  readonly email: string;
  readonly password: string;
  readonly username?: string;
  readonly given_name?: string;
  readonly family_name?: string;
  readonly name?: string;
  readonly nickname?: string;
  readonly picture?: string;
  readonly phone_number?: string;
  readonly user_metadata?: Record<string, unknown>;
}

export async function signupUser(_input: SignupInput): Promise<UserRecord> {
  throw new Error('signupUser: not implemented yet');
}
