import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requestedScopes } from '../../../../shared/oauth/scopes.ts';
import { OAuthError } from '../../../../shared/errors.ts';

const invalidScope = (error: unknown) => error instanceof OAuthError && error.statusCode === 400 && error.error === 'invalid_scope';

describe('requestedScopes', () => {
  test('an absent scope parameter is undefined', () => {
    assert.equal(requestedScopes(undefined), undefined);
  });

  test('an empty or blank scope is undefined, as if absent', () => {
    assert.equal(requestedScopes(''), undefined);
    assert.equal(requestedScopes('   '), undefined);
  });

  test('splits on spaces, ignoring repeated spaces', () => {
    assert.deepEqual(requestedScopes(' read:a  write:a '), ['read:a', 'write:a']);
  });

  test('drops repeats and keeps the first order', () => {
    assert.deepEqual(requestedScopes('b a b c a'), ['b', 'a', 'c']);
  });

  test('accepts every character RFC 6749 §3.3 allows', () => {
    const all = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => c !== '"' && c !== '\\').join('');
    assert.deepEqual(requestedScopes(all), [all]);
  });

  for (const [name, scope] of [
    ['a double quote', 'read "a"'],
    ['a backslash', 'read\\a'],
    ['a tab', 'read\ta'],
    ['a newline', 'read\na'],
    ['a non-ASCII character', 'lire:é'],
    ['a control character', 'a\u0000'],
  ] as const) {
    test(`a scope with ${name} is invalid_scope`, () => {
      assert.throws(() => requestedScopes(scope), invalidScope);
    });
  }

  test('a scope parameter over 4096 characters is invalid_scope', () => {
    assert.throws(() => requestedScopes('a'.repeat(4097)), invalidScope);
    assert.deepEqual(requestedScopes('a'.repeat(4096)), ['a'.repeat(4096)]);
  });
});
