import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PasswordPolicy } from '../../../../shared/connections/database.ts';
import { assertPasswordPolicy, checkPassword, policyText } from '../../../../shared/users/password-policy.ts';
import { SignupError } from '../../../../shared/users/signup-error.ts';

/**
 * Auth0's password strength levels and the exact PasswordStrengthError body it answers
 * (rule codes, `%d` messages with `format`, item codes, the `policy` text).
 */
const ok = (password: string, policy: PasswordPolicy, minLength?: number) => checkPassword(password, policy, minLength).verified;

const item = (code: string, verified: boolean) =>
  ({
    lowerCase: { message: 'lower case letters (a-z)', code, verified },
    upperCase: { message: 'upper case letters (A-Z)', code, verified },
    numbers: { message: 'numbers (i.e. 0-9)', code, verified },
    specialCharacters: { message: 'special characters (e.g. !@#$%^&*)', code, verified },
  })[code];

describe('each level accepts and refuses what Auth0 does', () => {
  const cases: [PasswordPolicy, string[], string[]][] = [
    ['none', ['a', ' ', '1'], ['']],
    ['low', ['abcdef', '123456', '      '], ['', 'abcde']],
    ['fair', ['abcdEF12', 'Passw0rdPassw0rd'], ['abcdEF1', 'abcdefgh1', 'ABCDEFGH1', 'abcdEFGH', 'abcd EF !']],
    ['good', ['abcdEF12', 'abcdef1!', 'ABCDEF1!', 'abcDEF!!', 'abc DEF 1'], ['abcdEF1', 'abcdefgh', 'abcdefg1', 'ABCD!!!!', '12345678']],
    ['excellent', ['abcdEF12!x', 'aabbCC1122'], ['abcdEF12!', 'aaabCD12!x', 'abcdEF111x', 'abcdefghij1']],
  ];
  for (const [policy, accepted, refused] of cases) {
    test(policy, () => {
      for (const p of accepted) assert.equal(ok(p, policy), true, `${policy} should accept ${JSON.stringify(p)}`);
      for (const p of refused) assert.equal(ok(p, policy), false, `${policy} should refuse ${JSON.stringify(p)}`);
    });
  }

  test('length counts characters as a person sees them (code points), not UTF-16 units', () => {
    assert.equal(ok('🔐🔐🔐🔐🔐', 'low'), false);
    assert.equal(ok('🔐🔐🔐🔐🔐🔐', 'low'), true);
  });

  test('min_length replaces the level\'s minimum, up or down', () => {
    assert.equal(ok('abcdEF12', 'good', 12), false);
    assert.equal(ok('abcdEF12abcd', 'good', 12), true);
    assert.equal(ok('aB1', 'good', 3), true);
    assert.equal(ok('abcdefghij', 'low', 11), false);
  });
});

describe('the rules each level reports', () => {
  test('none: a single nonEmpty rule', () => {
    assert.deepEqual(checkPassword('', 'none'), { rules: [{ message: 'Non-empty password required', code: 'nonEmpty', verified: false }], verified: false });
  });

  test('low: lengthAtLeast 6 with its format', () => {
    assert.deepEqual(checkPassword('abc', 'low'), { rules: [{ message: 'At least %d characters in length', format: [6], code: 'lengthAtLeast', verified: false }], verified: false });
  });

  test('fair: lengthAtLeast 8 and shouldContain lower, upper, numbers', () => {
    assert.deepEqual(checkPassword('abcdefgh', 'fair'), {
      rules: [
        { message: 'At least %d characters in length', format: [8], code: 'lengthAtLeast', verified: true },
        { message: 'Should contain:', code: 'shouldContain', items: [item('lowerCase', true), item('upperCase', false), item('numbers', false)], verified: false },
      ],
      verified: false,
    });
  });

  test('good: lengthAtLeast 8 and containsAtLeast 3 of 4', () => {
    assert.deepEqual(checkPassword('abc!', 'good'), {
      rules: [
        { message: 'At least %d characters in length', format: [8], code: 'lengthAtLeast', verified: false },
        {
          message: 'Contain at least %d of the following %d types of characters:',
          code: 'containsAtLeast',
          format: [3, 4],
          items: [item('lowerCase', true), item('upperCase', false), item('numbers', false), item('specialCharacters', true)],
          verified: false,
        },
      ],
      verified: false,
    });
  });

  test('excellent: lengthAtLeast 10, containsAtLeast 3 of 4, identicalChars 2', () => {
    const check = checkPassword('aaaBBB111!', 'excellent');
    assert.equal(check.verified, false);
    assert.deepEqual(check.rules.map((r) => [r.code, r.verified]), [
      ['lengthAtLeast', true],
      ['containsAtLeast', true],
      ['identicalChars', false],
    ]);
    assert.deepEqual(check.rules[2], { message: 'No more than %d identical characters in a row (e.g., "%s" not allowed)', code: 'identicalChars', format: [2, 'aaa'], verified: false });
  });
});

describe('the PasswordStrengthError Auth0 answers', () => {
  test('the whole body, as Auth0 sends it for the good policy', () => {
    let error: unknown;
    try {
      assertPasswordPolicy('abcdefg!', { passwordPolicy: 'good', minLength: undefined });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof SignupError);
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'invalid_password');
    assert.deepEqual(JSON.parse(JSON.stringify(error)), {
      name: 'PasswordStrengthError',
      message: 'Password is too weak',
      code: 'invalid_password',
      description: {
        rules: [
          { message: 'At least %d characters in length', format: [8], code: 'lengthAtLeast', verified: true },
          {
            message: 'Contain at least %d of the following %d types of characters:',
            code: 'containsAtLeast',
            format: [3, 4],
            items: [item('lowerCase', true), item('upperCase', false), item('numbers', false), item('specialCharacters', true)],
            verified: false,
          },
        ],
        verified: false,
      },
      policy:
        '* At least 8 characters in length\n* Contain at least 3 of the following 4 types of characters:\n * lower case letters (a-z)\n * upper case letters (A-Z)\n * numbers (i.e. 0-9)\n * special characters (e.g. !@#$%^&*)',
      statusCode: 400,
    });
    assert.match(error.message, /^Password is too weak/);
  });

  test('a password that meets the policy throws nothing', () => {
    assert.doesNotThrow(() => assertPasswordPolicy('abcdEF12', { passwordPolicy: 'good', minLength: undefined }));
  });

  test('the policy text fills every placeholder', () => {
    assert.doesNotMatch(policyText(checkPassword('', 'excellent')), /%[ds]/);
    assert.match(policyText(checkPassword('', 'excellent')), /\* No more than 2 identical characters in a row \(e\.g\., "aaa" not allowed\)$/);
    assert.equal(policyText(checkPassword('', 'fair')), '* At least 8 characters in length\n* Should contain:\n * lower case letters (a-z)\n * upper case letters (A-Z)\n * numbers (i.e. 0-9)');
  });
});
