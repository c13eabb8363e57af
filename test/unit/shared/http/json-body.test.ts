import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OAuthError } from '../../../../shared/errors.ts';
import { parseJsonObject, parseObjectBody } from '../../../../shared/http/json-body.ts';
import { apiEvent } from '../../../support/events.ts';

/** Asserts a 400 invalid_request whose description contains `fragment`. */
function rejects(run: () => unknown, fragment: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof OAuthError, `expected an OAuthError, got ${String(error)}`);
    assert.equal(error.statusCode, 400);
    assert.equal(error.error, 'invalid_request');
    assert.match(error.description, new RegExp(fragment));
    return true;
  });
}

const body = (text: string, contentType = 'application/json', maxBytes?: number) =>
  parseObjectBody(apiEvent({ body: text, headers: { 'content-type': contentType } }), maxBytes);

describe('parseJsonObject', () => {
  test('members keep their JSON types; the object has no prototype', () => {
    const value = parseJsonObject('{"a":["x"],"b":{"c":1},"__proto__":{"polluted":true}}');
    assert.deepEqual(value.a, ['x']);
    assert.deepEqual(value.b, { c: 1 });
    assert.equal(Object.getPrototypeOf(value), null);
    assert.deepEqual(Object.keys(value), ['a', 'b', '__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('broken JSON and a non-object top level are refused', () => {
    rejects(() => parseJsonObject('{"a":'), 'Malformed JSON body');
    for (const text of ['[1]', '"a"', 'null', '1']) rejects(() => parseJsonObject(text), 'JSON body must be an object');
  });

  test('a repeated top-level member: kept (last wins) unless refused by option; nested repeats never count', () => {
    assert.equal(parseJsonObject('{"a":"1","a":"2"}').a, '2');
    rejects(() => parseJsonObject('{"a":"1","a":"2"}', { refuseRepeatedMembers: true }), "'a' parameter must not be provided more than once");
    assert.deepEqual({ ...parseJsonObject('{"a":{"x":1},"b":{"x":2}}', { refuseRepeatedMembers: true }) }, { a: { x: 1 }, b: { x: 2 } });
  });
});

describe('parseObjectBody', () => {
  test('JSON: members as they are', () => {
    assert.deepEqual({ ...body('{"user_metadata":{"k":"v"},"n":2}', 'application/json; charset=utf-8') }, { user_metadata: { k: 'v' }, n: 2 });
  });

  test('JSON: a repeated member is refused as a repeated form parameter is, its name echoed cut short', () => {
    rejects(() => body('{"client_id":"a","client_id":"b"}'), "'client_id' parameter must not be provided more than once");
    const long = 'k'.repeat(5_000);
    assert.throws(
      () => body(`{"${long}":1,"${long}":2}`),
      (error: unknown) => error instanceof OAuthError && error.description === `'${'k'.repeat(64)}' parameter must not be provided more than once`,
    );
  });

  test('form: flat strings through parseBody, repeats refused; no prototype either', () => {
    const form = body('a=1&b=x+y&__proto__=z', 'application/x-www-form-urlencoded');
    // JSON.parse makes `__proto__` an own member, as the form parser does (a literal would set the prototype).
    assert.deepEqual({ ...form }, JSON.parse('{"a":"1","b":"x y","__proto__":"z"}'));
    assert.equal(Object.getPrototypeOf(form), null);
    rejects(() => body('a=1&a=2', 'application/x-www-form-urlencoded'), 'more than once');
  });

  test('size cap and UTF-8 hold for JSON too', () => {
    rejects(() => body('{"a":"0123456789"}', 'application/json', 8), 'too large');
    rejects(() => parseObjectBody(apiEvent({ body: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), isBase64Encoded: true, headers: { 'content-type': 'application/json' } })), 'UTF-8');
    rejects(() => body('{"a":"\uFFFD"}'), 'UTF-8');
  });
});
