import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newRecoveryCode, normalizeRecoveryCode, recoveryCodeDigest } from '../../../../shared/mfa/recovery-codes.ts';

describe('recovery codes', () => {
  test('24 upper-case letters and digits, without 0/O/1/I/L, different each time', () => {
    const codes = Array.from({ length: 200 }, newRecoveryCode);
    for (const code of codes) assert.match(code, /^[A-HJKMNP-Z2-9]{24}$/);
    assert.equal(new Set(codes).size, codes.length);
  });

  test('normalization: case, spaces and dashes do not matter', () => {
    const code = newRecoveryCode();
    assert.equal(normalizeRecoveryCode(code), code);
    assert.equal(normalizeRecoveryCode(code.toLowerCase()), code);
    assert.equal(normalizeRecoveryCode(` ${code.match(/.{4}/g)!.join('-')} `), code);
    assert.equal(normalizeRecoveryCode(code.match(/.{6}/g)!.join(' ')), code);
  });

  test('what cannot be a code is undefined', () => {
    for (const bad of ['', 'ABC', 'A'.repeat(23), 'A'.repeat(25), `${'A'.repeat(23)}0`, `${'A'.repeat(23)}!`, 'A'.repeat(1000), `${'A'.repeat(23)}é`]) {
      assert.equal(normalizeRecoveryCode(bad), undefined, bad);
    }
  });

  test('digest: deterministic, differs per code, does not contain the code', () => {
    const a = newRecoveryCode();
    const b = newRecoveryCode();
    assert.equal(recoveryCodeDigest(a), recoveryCodeDigest(a));
    assert.notEqual(recoveryCodeDigest(a), recoveryCodeDigest(b));
    assert.match(recoveryCodeDigest(a), /^[A-Za-z0-9_-]{43}$/);
    assert.equal(recoveryCodeDigest(a).includes(a), false);
  });
});
