import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { base32Decode, base32Encode } from '../../../../shared/mfa/base32.ts';
import { hotp, matchingTotpStep, newTotpSecret, otpauthUri, totpCode, totpStep } from '../../../../shared/mfa/totp.ts';

const seed = Buffer.from('12345678901234567890', 'ascii');
const seedBase32 = base32Encode(seed);

describe('base32 (RFC 4648 §10 test vectors)', () => {
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'MY======'],
    ['fo', 'MZXQ===='],
    ['foo', 'MZXW6==='],
    ['foob', 'MZXW6YQ='],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI======'],
  ];
  for (const [plain, encoded] of vectors) {
    test(`"${plain}" ↔ "${encoded}"`, () => {
      assert.equal(base32Encode(Buffer.from(plain), { padding: true }), encoded);
      assert.equal(base32Encode(Buffer.from(plain)), encoded.replace(/=+$/, ''));
      assert.equal(base32Decode(encoded)?.toString(), plain);
      assert.equal(base32Decode(encoded.replace(/=+$/, '').toLowerCase())?.toString(), plain);
    });
  }

  test('not base32: wrong alphabet or impossible length', () => {
    for (const bad of ['MZXW1', 'MZX!', 'M', 'MZX', 'MZXW6Y', '0000']) assert.equal(base32Decode(bad), undefined, bad);
  });

  test('round trip of random bytes, spaces ignored', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
      const text = base32Encode(bytes);
      assert.deepEqual(base32Decode(text), bytes);
      assert.deepEqual(base32Decode(text.replace(/(.{4})/g, '$1 ')), bytes);
    }
  });
});

describe('HOTP (RFC 4226 Appendix D) and TOTP (RFC 6238 Appendix B, SHA-1)', () => {
  test('HOTP counters 0–9', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expected.forEach((code, counter) => assert.equal(hotp(seed, counter), code));
  });

  test('TOTP 8-digit vectors (the RFC table) through hotp, 6-digit through totpCode', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [time, code] of vectors) {
      const step = totpStep(time * 1000);
      assert.equal(hotp(seed, step, 8), code, `T=${time}`);
      // A 6-digit code is the same truncation mod 10^6: the last six digits.
      assert.equal(totpCode(seedBase32, step), code.slice(2), `T=${time}`);
    }
  });

  test('a new secret is 160 random bits in unpadded base32, different each time', () => {
    const a = newTotpSecret();
    assert.match(a, /^[A-Z2-7]{32}$/);
    assert.equal(base32Decode(a)?.length, 20);
    assert.notEqual(a, newTotpSecret());
  });
});

describe('matchingTotpStep', () => {
  const now = 1_767_268_815_000; // mid-step
  const step = totpStep(now);

  test('accepts the current step and one either side, names the step', () => {
    for (const delta of [-1, 0, 1]) assert.equal(matchingTotpStep(seedBase32, totpCode(seedBase32, step + delta), now), step + delta);
  });

  test('refuses two steps away, malformed codes and another secret', () => {
    assert.equal(matchingTotpStep(seedBase32, totpCode(seedBase32, step - 2), now), undefined);
    assert.equal(matchingTotpStep(seedBase32, totpCode(seedBase32, step + 2), now), undefined);
    const code = totpCode(seedBase32, step);
    for (const bad of ['', '12345', '1234567', `${code} `, ` ${code}`, 'abcdef', `${code}0`, '１２３４５６']) {
      assert.equal(matchingTotpStep(seedBase32, bad, now), undefined, JSON.stringify(bad));
    }
    // Another secret: refused unless its codes happen to collide in the window (1 in ~333,000).
    const other = newTotpSecret();
    const collides = [-1, 0, 1].some((d) => totpCode(other, step + d) === code);
    assert.equal(matchingTotpStep(other, code, now) !== undefined, collides);
  });

  test('the window is configurable: 0 accepts only now', () => {
    assert.equal(matchingTotpStep(seedBase32, totpCode(seedBase32, step - 1), now, 0), undefined);
    assert.equal(matchingTotpStep(seedBase32, totpCode(seedBase32, step), now, 0), step);
  });

  test('agrees with an independent HMAC computation', () => {
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(BigInt(step));
    const mac = createHmac('sha1', seed).update(msg).digest();
    const o = mac[19]! & 15;
    const expected = String((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
    assert.equal(totpCode(seedBase32, step), expected);
  });
});

describe('otpauth URI (Auth0 barcode_uri shape)', () => {
  test('label issuer:account, secret, issuer, SHA1, 6 digits, 30 s', () => {
    const uri = otpauthUri({ issuer: 'acme', account: 'jane@example.com', secret: 'JBSWY3DPEHPK3PXP' });
    assert.equal(uri, 'otpauth://totp/acme:jane%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=acme&algorithm=SHA1&digits=6&period=30');
  });

  test('spaces and colons are percent-encoded, never "+"', () => {
    const uri = new URL(otpauthUri({ issuer: 'Acme Corp', account: 'a:b c', secret: 'ABC' }));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.pathname.includes('+'), false);
    assert.equal(uri.search.includes('+'), false);
    assert.equal(uri.searchParams.get('issuer'), 'Acme Corp');
    assert.equal(uri.href.split('?')[0], 'otpauth://totp/Acme%20Corp:a%3Ab%20c');
  });
});
