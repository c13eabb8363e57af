import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allowsPostLogoutRedirectUri, allowsReturnTo, withState } from '../../../../functions/logout/logout-urls.ts';

const allowed = ['https://app.example.com/logged-out', 'https://app.example.com', 'com.example.app://logout'];

describe('allowsReturnTo (/v2/logout, Auth0: query and fragment not taken into account)', () => {
  test('an allowed URL, with or without its own query or fragment', () => {
    assert.ok(allowsReturnTo(allowed, 'https://app.example.com/logged-out'));
    assert.ok(allowsReturnTo(allowed, 'https://app.example.com/logged-out?from=spa'));
    assert.ok(allowsReturnTo(allowed, 'https://app.example.com/logged-out#top'));
    assert.ok(allowsReturnTo(allowed, 'https://APP.example.com/logged-out'), 'host is case-insensitive');
    assert.ok(allowsReturnTo(allowed, 'https://app.example.com/'), 'the root with its slash');
    assert.ok(allowsReturnTo(allowed, 'com.example.app://logout'));
  });

  test('anything else is refused', () => {
    for (const url of [
      'https://app.example.com/Logged-out', // path is case-sensitive
      'https://app.example.com/logged-out/',
      'https://app.example.com/logged-out/../admin',
      'http://app.example.com/logged-out',
      'https://app.example.com:8443/logged-out',
      'https://app.example.com.evil.test/logged-out',
      'https://evil.test/?https://app.example.com/logged-out',
      'https://user@app.example.com/logged-out',
      '/logged-out',
      'not a url',
      '',
    ]) {
      assert.equal(allowsReturnTo(allowed, url), false, url);
    }
  });

  test('nothing is allowed from an empty list', () => {
    assert.equal(allowsReturnTo([], 'https://app.example.com/logged-out'), false);
  });
});

describe('allowsPostLogoutRedirectUri (/oidc/logout: exact match, RP-Initiated Logout §3)', () => {
  test('exactly a registered value', () => {
    assert.ok(allowsPostLogoutRedirectUri(allowed, 'https://app.example.com/logged-out'));
    assert.equal(allowsPostLogoutRedirectUri(allowed, 'https://app.example.com/logged-out?x=1'), false);
    assert.equal(allowsPostLogoutRedirectUri(allowed, 'https://app.example.com/'), false, 'not even a trailing slash');
    assert.equal(allowsPostLogoutRedirectUri(allowed, 'https://APP.example.com/logged-out'), false);
  });
});

describe('withState', () => {
  test('adds state to the query, keeping what is there, encoded', () => {
    assert.equal(withState('https://app.example.com/out?a=1', 'x y&z'), 'https://app.example.com/out?a=1&state=x+y%26z');
    assert.equal(withState('https://app.example.com/out', undefined), 'https://app.example.com/out');
  });
});
