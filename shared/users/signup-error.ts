import { OAuthError } from '../errors.ts';

/**
 * A refused signup, with the body Auth0 answers on `/dbconnections/signup`: not the OAuth
 * shape but the legacy one, `{"name":"BadRequestError","code":…,"description":…,"statusCode":400}`,
 * always 400 even for duplicates (reference §1.4, §6.1); a password-policy failure is a
 * `PasswordStrengthError` whose description is an object; a connection with "Disable Sign
 * Ups" answers the odd `{"error":"public signup is disabled"}`.
 *
 * It is an OAuthError so the endpoint wrapper writes it as it is (`toJSON` is the wire body)
 * and the hosted pages can show it; `message` is the sentence a page shows a person.
 */
export type SignupErrorCode =
  | 'invalid_signup'
  | 'user_exists'
  | 'username_exists'
  | 'invalid_password'
  | 'invalid_connection'
  | 'invalid_client'
  | 'public_signup_disabled';

export class SignupError extends OAuthError {
  constructor(
    readonly code: SignupErrorCode,
    /** The exact JSON body Auth0 answers. */
    readonly body: Record<string, unknown>,
    /** What a person reads on a page. */
    text: string,
    detail?: string,
  ) {
    super(400, code, text, detail === undefined ? {} : { detail });
    this.message = text;
  }

  override toJSON(): Record<string, unknown> {
    return this.body;
  }
}

/** The legacy `BadRequestError` body with a code and a one-line description. */
export function badSignup(code: Exclude<SignupErrorCode, 'invalid_password' | 'public_signup_disabled'>, description: string, detail?: string): SignupError {
  return new SignupError(code, { name: 'BadRequestError', code, description, statusCode: 400 }, description, detail);
}

/** Anti-enumeration default: a duplicate email reads like any other refusal. */
export const invalidSignup = (detail?: string) => badSignup('invalid_signup', 'Invalid sign up', detail);

/** Only with the tenant flag `enable_public_signup_user_exists_error`. */
export const userExists = () => badSignup('user_exists', 'The user already exists.');

export const usernameExists = () => badSignup('username_exists', 'The username provided is in use already.');

export const publicSignupDisabled = () =>
  new SignupError('public_signup_disabled', { error: 'public signup is disabled' }, 'Sign ups are disabled for this connection.');
