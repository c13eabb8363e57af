import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csrfCookieName, csrfFieldName, csrfToken, csrfValid } from '../../../../shared/html/csrf.ts';
import { apiEvent } from '../../../support/events.ts';

const token = 'a'.repeat(43);
const other = 'b'.repeat(43);
const withCookie = (cookie: string) => apiEvent({ headers: { cookie } });

describe('CSRF double-submit token', () => {
  test('a browser without the cookie gets a new random token in an HttpOnly, SameSite=Lax cookie on /u/', () => {
    const first = csrfToken(apiEvent(), false);
    const second = csrfToken(apiEvent(), false);
    assert.match(first.token, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(first.token, second.token);
    assert.equal(first.setCookie, `${csrfCookieName}=${first.token}; Path=/u/; HttpOnly; SameSite=Lax`);
  });

  test('Secure on https', () => {
    assert.match(csrfToken(apiEvent(), true).setCookie, /; SameSite=Lax; Secure$/);
  });

  test('a browser that has a token keeps it (several tabs keep working); a malformed one is replaced', () => {
    assert.equal(csrfToken(withCookie(`${csrfCookieName}=${token}`), false).token, token);
    const replaced = csrfToken(withCookie(`${csrfCookieName}=short"<x>`), false).token;
    assert.match(replaced, /^[A-Za-z0-9_-]{43}$/);
  });

  test('a form is valid only when its field equals the cookie', () => {
    const event = withCookie(`other=1; ${csrfCookieName}=${token}`);
    assert.equal(csrfValid(event, { [csrfFieldName]: token }), true);
    assert.equal(csrfValid(event, { [csrfFieldName]: other }), false);
    assert.equal(csrfValid(event, { [csrfFieldName]: token.slice(1) }), false);
    assert.equal(csrfValid(event, {}), false, 'no field');
    assert.equal(csrfValid(apiEvent(), { [csrfFieldName]: token }), false, 'no cookie');
    assert.equal(csrfValid(withCookie(`${csrfCookieName}=`), { [csrfFieldName]: '' }), false, 'both empty');
    assert.equal(csrfValid(withCookie(`${csrfCookieName}=x`), { [csrfFieldName]: 'x' }), false, 'a cookie that we never issued');
  });
});
