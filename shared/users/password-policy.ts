import type { DatabaseConnection, PasswordPolicy } from '../connections/database.ts';
import { SignupError } from './signup-error.ts';

/**
 * Auth0's password strength levels (the rules of its password-sheriff library, re-stated
 * here): what each level requires, the rule list a refusal carries, and the policy text.
 *
 *   none       at least 1 character
 *   low        at least 6 characters
 *   fair       at least 8, and lower case, upper case and numbers
 *   good       at least 8, and 3 of the 4 kinds (lower, upper, numbers, special)  — Auth0's default
 *   excellent  at least 10, 3 of the 4 kinds, no more than 2 identical characters in a row
 *
 * `password_complexity_options.min_length` replaces the level's minimum length. Messages keep
 * Auth0's `%d` placeholders with the values in `format`, as Auth0 sends them (SDKs and Lock
 * format them themselves); the `policy` text has them filled in.
 */
export interface RuleResult {
  readonly message: string;
  readonly code: string;
  readonly format?: readonly (number | string)[];
  readonly items?: readonly ItemResult[];
  readonly verified: boolean;
}

export interface ItemResult {
  readonly message: string;
  readonly code: CharacterKind;
  readonly verified: boolean;
}

export type CharacterKind = 'lowerCase' | 'upperCase' | 'numbers' | 'specialCharacters';

export interface PolicyCheck {
  readonly rules: readonly RuleResult[];
  readonly verified: boolean;
}

/** OWASP's list of special characters, space included (password-sheriff uses the same). */
const special = /[ !"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;

const kinds: Record<CharacterKind, { message: string; test: (p: string) => boolean }> = {
  lowerCase: { message: 'lower case letters (a-z)', test: (p) => /[a-z]/.test(p) },
  upperCase: { message: 'upper case letters (A-Z)', test: (p) => /[A-Z]/.test(p) },
  numbers: { message: 'numbers (i.e. 0-9)', test: (p) => /[0-9]/.test(p) },
  specialCharacters: { message: 'special characters (e.g. !@#$%^&*)', test: (p) => special.test(p) },
};

const allKinds: readonly CharacterKind[] = ['lowerCase', 'upperCase', 'numbers', 'specialCharacters'];

interface Level {
  readonly minLength: number;
  /** Every one of these kinds (`fair`). */
  readonly contains?: readonly CharacterKind[];
  /** At least this many of the four kinds (`good`, `excellent`). */
  readonly atLeast?: number;
  /** No run of identical characters longer than this (`excellent`). */
  readonly maxIdentical?: number;
}

const levels: Record<PasswordPolicy, Level> = {
  none: { minLength: 1 },
  low: { minLength: 6 },
  fair: { minLength: 8, contains: ['lowerCase', 'upperCase', 'numbers'] },
  good: { minLength: 8, atLeast: 3 },
  excellent: { minLength: 10, atLeast: 3, maxIdentical: 2 },
};

/** Length counts code points, so an emoji is one character as a person sees it. */
const lengthOf = (password: string) => [...password].length;

function longestRun(password: string): number {
  let longest = 0;
  let run = 0;
  let previous: string | undefined;
  for (const c of password) {
    run = c === previous ? run + 1 : 1;
    previous = c;
    if (run > longest) longest = run;
  }
  return longest;
}

const items = (password: string, list: readonly CharacterKind[]): ItemResult[] =>
  list.map((code) => ({ message: kinds[code].message, code, verified: kinds[code].test(password) }));

export function checkPassword(password: string, policy: PasswordPolicy, minLength?: number): PolicyCheck {
  const level = levels[policy];
  const min = minLength ?? level.minLength;
  const rules: RuleResult[] = [];
  const length = lengthOf(password);
  rules.push(
    min === 1
      ? { message: 'Non-empty password required', code: 'nonEmpty', verified: length >= 1 }
      : { message: 'At least %d characters in length', format: [min], code: 'lengthAtLeast', verified: length >= min },
  );
  if (level.contains) {
    const found = items(password, level.contains);
    rules.push({ message: 'Should contain:', code: 'shouldContain', items: found, verified: found.every((i) => i.verified) });
  }
  if (level.atLeast !== undefined) {
    const found = items(password, allKinds);
    rules.push({
      message: 'Contain at least %d of the following %d types of characters:',
      code: 'containsAtLeast',
      format: [level.atLeast, allKinds.length],
      items: found,
      verified: found.filter((i) => i.verified).length >= level.atLeast,
    });
  }
  if (level.maxIdentical !== undefined) {
    rules.push({
      message: 'No more than %d identical characters in a row (e.g., "%s" not allowed)',
      code: 'identicalChars',
      format: [level.maxIdentical, 'a'.repeat(level.maxIdentical + 1)],
      verified: longestRun(password) <= level.maxIdentical,
    });
  }
  return { rules, verified: rules.every((r) => r.verified) };
}

/** A rule's message with `%d` / `%s` filled in from `format`, in order (as util.format does). */
export function formatted(rule: { message: string; format?: readonly (number | string)[] }): string {
  let i = 0;
  return rule.message.replace(/%[ds]/g, () => String(rule.format?.[i++] ?? ''));
}

/** The policy as Auth0 writes it in `policy`: one `* ` line per rule, items indented by one space. */
export function policyText(check: PolicyCheck): string {
  return check.rules
    .map((rule) => [`* ${formatted(rule)}`, ...(rule.items ?? []).map((item) => ` * ${item.message}`)].join('\n'))
    .join('\n');
}

/**
 * Throws Auth0's `PasswordStrengthError` when `password` fails the connection's policy:
 * `{name, message, code:"invalid_password", description:{rules, verified:false}, policy, statusCode:400}`.
 */
export function assertPasswordPolicy(password: string, connection: Pick<DatabaseConnection, 'passwordPolicy' | 'minLength'>): void {
  const check = checkPassword(password, connection.passwordPolicy, connection.minLength);
  if (check.verified) return;
  throw passwordStrengthError(check);
}

export function passwordStrengthError(check: PolicyCheck): SignupError {
  const policy = policyText(check);
  const body = {
    name: 'PasswordStrengthError',
    message: 'Password is too weak',
    code: 'invalid_password',
    description: { rules: check.rules, verified: false },
    policy,
    statusCode: 400,
  };
  return new SignupError('invalid_password', body, `Password is too weak. The password must meet these rules:\n${policy}`);
}
