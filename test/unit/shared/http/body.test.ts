import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { OAuthError } from '../../../../shared/errors.ts';
import { defaults, parseBody } from '../../../../shared/http/body.ts';
import { apiEvent } from '../../../support/events.ts';

const form = (body: string, contentType = 'application/x-www-form-urlencoded') =>
  parseBody(apiEvent({ body, headers: { 'content-type': contentType } }));
const json = (body: string, contentType = 'application/json') =>
  parseBody(apiEvent({ body, headers: { 'content-type': contentType } }));
const base64 = (bytes: Buffer, contentType = 'application/x-www-form-urlencoded') =>
  parseBody(apiEvent({ body: bytes.toString('base64'), isBase64Encoded: true, headers: { 'content-type': contentType } }));

/** Asserts a 400 invalid_request whose description contains `fragment`. */
function rejects(run: () => unknown, fragment?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof OAuthError, `expected an OAuthError, got ${String(error)}`);
    assert.equal(error.statusCode, 400);
    assert.equal(error.error, 'invalid_request');
    if (fragment) assert.match(error.description, new RegExp(fragment));
    return true;
  });
}

describe('parseBody: form', () => {
  test('decodes percent-encoding and + as space', () => {
    assert.deepEqual({ ...form('grant_type=client_credentials&scope=read%3Aa+write%3Aa&x=%E2%9C%93') }, {
      grant_type: 'client_credentials',
      scope: 'read:a write:a',
      x: '✓',
    });
  });

  test('a repeated parameter is refused as invalid_request (RFC 6749 §3.2)', () => {
    rejects(() => form('scope=a&client_id=x&scope=b'), "'scope' parameter must not be provided more than once");
  });

  test('a repeated parameter is refused even when one occurrence is empty', () => {
    rejects(() => form('scope=&scope=b'), 'more than once');
  });

  test('parameters without a value are omitted (RFC 6749 §3.1)', () => {
    const params = form('a=&b&c=1&&');
    assert.deepEqual(Object.keys(params), ['c']);
  });

  test('broken percent-encoding is refused', () => {
    rejects(() => form('client_id=%E0%A4%A'), 'Malformed');
  });

  test('a content type with parameters and odd case is accepted', () => {
    assert.equal(form('a=1', 'Application/X-WWW-Form-Urlencoded; charset=UTF-8').a, '1');
  });
});

describe('parseBody: JSON', () => {
  test('keeps strings and turns numbers and booleans into strings', () => {
    assert.deepEqual({ ...json('{"grant_type":"client_credentials","n":5,"b":true}') }, {
      grant_type: 'client_credentials',
      n: '5',
      b: 'true',
    });
  });

  test('null and empty members are omitted', () => {
    assert.deepEqual(Object.keys(json('{"a":null,"b":"","c":"x"}')), ['c']);
  });

  test('a nested object is refused', () => {
    rejects(() => json('{"audience":{"x":"y"}}'), "'audience' parameter must be a string");
  });

  test('a nested array is refused', () => {
    rejects(() => json('{"scope":["a","b"]}'), "'scope' parameter must be a string");
  });

  test('a top-level array, string or null is refused', () => {
    for (const body of ['[]', '"x"', 'null', '3']) rejects(() => json(body), 'must be an object');
  });

  test('malformed JSON is refused', () => {
    rejects(() => json('{"a":'), 'Malformed JSON');
  });

  test('a repeated member is refused, as a repeated form parameter is (RFC 6749 §3.2)', () => {
    rejects(() => json('{"client_id":"a","client_secret":"s","client_id":"b"}'), "'client_id' parameter must not be provided more than once");
  });

  test('a repeated member is refused even when spelled with escapes', () => {
    rejects(() => json('{"scope":"a","sc\\u006fpe":"b"}'), 'more than once');
  });

  test('members that only look alike are not duplicates', () => {
    assert.deepEqual({ ...json('{ "a" : "x,\\"a\\":1" , "A":"y", "a\\\\":"z" }') }, { a: 'x,"a":1', A: 'y', 'a\\': 'z' });
  });

  test('a content type with a charset is accepted', () => {
    assert.equal(json('{"a":"1"}', 'application/json; charset=utf-8').a, '1');
  });
});

describe('parseBody: envelope', () => {
  test('an absent or empty body is no parameters', () => {
    assert.deepEqual(Object.keys(parseBody(apiEvent({ body: null }))), []);
    assert.deepEqual(Object.keys(parseBody(apiEvent({ body: '' }))), []);
  });

  test('an unknown or missing content type is refused', () => {
    rejects(() => form('a=1', 'text/plain'), 'Content-Type');
    rejects(() => parseBody(apiEvent({ body: 'a=1' })), 'Content-Type');
  });

  test('a body above the size limit is refused', () => {
    rejects(() => form(`a=${'x'.repeat(defaults.maxBytes)}`), 'too large');
  });

  test('the size limit counts bytes, not characters', () => {
    const chars = Math.floor(defaults.maxBytes / 3) + 10; // each ✓ is 3 bytes in UTF-8
    rejects(() => json(JSON.stringify({ a: '✓'.repeat(chars) })), 'too large');
  });

  test('a body exactly at the limit is accepted', () => {
    const body = `a=${'x'.repeat(defaults.maxBytes - 2)}`;
    assert.equal(form(body).a?.length, defaults.maxBytes - 2);
  });

  test('a base64 body is decoded', () => {
    assert.equal(base64(Buffer.from('client_id=%C3%A9&x=é')).x, 'é');
  });

  test('a base64 body that is not UTF-8 is refused', () => {
    rejects(() => base64(Buffer.from([0x61, 0x3d, 0xff, 0xfe])), 'UTF-8');
  });

  test('a base64 body above the limit is refused by its decoded size', () => {
    rejects(() => base64(Buffer.alloc(defaults.maxBytes + 1, 0x61)), 'too large');
  });

  test('a text body carrying a replacement character (undecodable bytes) is refused', () => {
    rejects(() => form('a=\uFFFD'), 'UTF-8');
  });
});

describe('parseBody: prototype keys', () => {
  test('__proto__ and constructor from a form are plain parameters', () => {
    const params = form('__proto__=x&constructor=y&__proto__%5Bpolluted%5D=1');
    assert.equal(Object.getOwnPropertyDescriptor(params, '__proto__')?.value, 'x');
    assert.equal(params.constructor, 'y');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'x'), false);
  });

  test('__proto__ from JSON is a plain parameter and pollutes nothing', () => {
    const params = json('{"__proto__":"x","constructor":"y"}');
    assert.equal(Object.getOwnPropertyDescriptor(params, '__proto__')?.value, 'x');
    assert.equal(params.constructor, 'y');
    assert.equal(Object.getPrototypeOf(params), null);
  });

  test('a nested __proto__ in JSON is refused, not merged', () => {
    rejects(() => json('{"__proto__":{"polluted":"yes"}}'), 'must be a string');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('parameters that were not sent are undefined, never inherited', () => {
    for (const params of [form('a=1'), json('{"a":"1"}')]) {
      assert.equal(params.constructor, undefined);
      assert.equal(params.toString, undefined);
      assert.equal(params.hasOwnProperty, undefined);
    }
  });
});

describe('parseBody: property', () => {
  const contentTypes = fc.constantFrom(
    'application/json',
    'application/x-www-form-urlencoded',
    'application/json; charset=utf-8',
    'text/plain',
    undefined,
  );
  const isClientError = (error: unknown) => error instanceof OAuthError && error.statusCode === 400 && error.error === 'invalid_request';

  function parsesOrRefuses(run: () => Record<string, string>): boolean {
    let params: Record<string, string>;
    try {
      params = run();
    } catch (error) {
      return isClientError(error);
    }
    return Object.values(params).every((v) => typeof v === 'string' && v !== '');
  }

  test('any text body either parses into non-empty strings or is a 400 invalid_request', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: fc.constantFrom('a', '=', '&', '%', '+', '2', 'F', 'E', '{', '}', '"', ':', ',', '[', '\\', 'u', ' ') }),
      fc.json(),
      fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))).map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(text, contentTypes, (body, type) =>
        parsesOrRefuses(() => parseBody(apiEvent({ body, headers: type ? { 'content-type': type } : {} }))),
      ),
      { numRuns: 2_000 },
    );
  });

  test('a JSON object of strings parses to itself, and the same object with a member repeated is refused', () => {
    // U+FFFD is left out: a text body carrying it is refused as undecodable (tested above).
    const text = fc.string({ unit: 'binary', minLength: 1 }).filter((s) => !s.includes('\uFFFD'));
    const members = fc.dictionary(text, text, { minKeys: 1 });
    fc.assert(
      fc.property(members, fc.nat(), (object, pick) => {
        assert.deepEqual({ ...json(JSON.stringify(object)) }, { ...object });
        const keys = Object.keys(object);
        const repeated = keys[pick % keys.length]!;
        const withRepeat = `${JSON.stringify(object).slice(0, -1)},${JSON.stringify(repeated)}:"again"}`;
        rejects(() => json(withRepeat), 'more than once');
      }),
      { numRuns: 500 },
    );
  });

  test('any byte body (base64) either parses or is a 400 invalid_request', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), contentTypes, (bytes, type) =>
        parsesOrRefuses(() =>
          parseBody(apiEvent({ body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true, headers: type ? { 'content-type': type } : {} })),
        ),
      ),
      { numRuns: 2_000 },
    );
  });
});
