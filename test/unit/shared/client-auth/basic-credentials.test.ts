import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseBasicAuthorization } from '../../../../shared/client-auth/basic-credentials.ts';
import { OAuthError } from '../../../../shared/errors.ts';

/** What an RFC 6749 §2.3.1 client sends: each part form-urlencoded, then base64. */
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64')}`;
const raw = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

function refusedAsInvalidClient(header: string): void {
  assert.throws(
    () => parseBasicAuthorization(header),
    (error: unknown) => {
      assert.ok(error instanceof OAuthError);
      assert.equal(error.statusCode, 401);
      assert.equal(error.error, 'invalid_client');
      assert.equal(error.headers['WWW-Authenticate'], 'Basic realm="token"');
      return true;
    },
  );
}

describe('parseBasicAuthorization', () => {
  test('reads a plain client id and secret', () => {
    assert.deepEqual(parseBasicAuthorization(basic('client-1', 's3cret')), { clientId: 'client-1', clientSecret: 's3cret' });
  });

  test('form-urldecodes both parts (RFC 6749 §2.3.1): colons, plus signs, spaces, percent, UTF-8', () => {
    const id = 'id:with colon+plus';
    const secret = 'p@ss:wörd %41+ /=';
    assert.deepEqual(parseBasicAuthorization(basic(id, secret)), { clientId: id, clientSecret: secret });
  });

  test('a literal + in the header means a space', () => {
    assert.deepEqual(parseBasicAuthorization(raw('a+b:c+d')), { clientId: 'a b', clientSecret: 'c d' });
  });

  test('the scheme is case-insensitive and surrounding spaces are ignored', () => {
    assert.equal(parseBasicAuthorization(`  bAsIc   ${Buffer.from('x:y').toString('base64')} `)?.clientId, 'x');
  });

  test('no header, or another scheme, is no Basic credentials', () => {
    assert.equal(parseBasicAuthorization(undefined), undefined);
    assert.equal(parseBasicAuthorization(''), undefined);
    assert.equal(parseBasicAuthorization('Bearer abc.def.ghi'), undefined);
  });

  test('a Basic header without credentials is a 401 invalid_client with a challenge', () => {
    refusedAsInvalidClient('Basic');
  });

  test('a value that is not base64 is a 401 invalid_client', () => {
    refusedAsInvalidClient('Basic not*base64!');
  });

  test('credentials without a colon are a 401 invalid_client', () => {
    refusedAsInvalidClient(raw('just-an-id'));
  });

  test('an empty client id is a 401 invalid_client', () => {
    refusedAsInvalidClient(raw(':secret'));
  });

  test('broken percent-encoding is a 401 invalid_client', () => {
    refusedAsInvalidClient(raw('client%ZZ:secret'));
    refusedAsInvalidClient(raw('client:secret%E0%A4'));
  });
});
