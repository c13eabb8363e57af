import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isValidCodeVerifier, isValidS256Challenge, s256Challenge } from '../../../../shared/crypto/pkce.ts';

describe('PKCE S256 (RFC 7636)', () => {
  test('Appendix B: the example verifier gives the example challenge', () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    assert.equal(s256Challenge(verifier), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    assert.ok(isValidCodeVerifier(verifier));
    assert.ok(isValidS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'));
  });

  test('verifiers are 43 to 128 unreserved characters (§4.1)', () => {
    assert.ok(isValidCodeVerifier('a'.repeat(43)));
    assert.ok(isValidCodeVerifier('A-._~'.repeat(25) + 'abc'));
    assert.equal(isValidCodeVerifier('a'.repeat(42)), false);
    assert.equal(isValidCodeVerifier('a'.repeat(129)), false);
    assert.equal(isValidCodeVerifier(`${'a'.repeat(42)}+`), false);
    assert.equal(isValidCodeVerifier(`${'a'.repeat(42)}=`), false);
    assert.equal(isValidCodeVerifier(`${'a'.repeat(42)} `), false);
  });

  test('an S256 challenge is exactly the base64url of 32 bytes', () => {
    for (let i = 0; i < 50; i++) assert.ok(isValidS256Challenge(s256Challenge(`verifier-${i}-${'x'.repeat(40)}`)));
    assert.equal(isValidS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c'), false, '42 characters');
    assert.equal(isValidS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cMA'), false, '44 characters');
    assert.equal(isValidS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN'), false, 'not a canonical last character');
    assert.equal(isValidS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM'), false, 'base64, not base64url');
  });
});
