import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { OAuthError } from '../../../../shared/errors.ts';
import { base32Decode, base32Encode } from '../../../../shared/mfa/base32.ts';
import { readMfaToken } from '../../../../shared/mfa/mfa-token.ts';
import { normalizeRecoveryCode } from '../../../../shared/mfa/recovery-codes.ts';
import { matchingTotpStep, newTotpSecret } from '../../../../shared/mfa/totp.ts';
import { isAuthenticatorId } from '../../../../shared/store/authenticators.ts';
import { initialKeyset } from '../../../../shared/tokens/keyset-document.ts';
import { loadKeyset, type LoadedKeyset } from '../../../../shared/tokens/keyset.ts';

/** What users and clients send reaches these parsers: they never throw, and only ever accept what they should. */
describe('MFA input parsing (properties)', () => {
  let loaded: LoadedKeyset;
  before(async () => {
    loaded = loadKeyset(await initialKeyset());
  });

  test('base32: any bytes round-trip; any string decodes or is refused without a throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => assert.deepEqual(base32Decode(base32Encode(bytes)), Buffer.from(bytes))));
    fc.assert(fc.property(fc.string(), (text) => void base32Decode(text)));
  });

  test('TOTP: any string as a code is undefined unless it is 6 digits', () => {
    const secret = newTotpSecret();
    fc.assert(
      fc.property(fc.string(), (code) => {
        const step = matchingTotpStep(secret, code, Date.now());
        if (!/^[0-9]{6}$/.test(code)) assert.equal(step, undefined);
      }),
    );
  });

  test('recovery codes: any string normalizes to 24 allowed characters or undefined', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const out = normalizeRecoveryCode(text);
        if (out !== undefined) assert.match(out, /^[A-HJKMNP-Z2-9]{24}$/);
      }),
    );
  });

  test('authenticator ids from a URL path: anything with a slash, dot or other kind is refused', () => {
    fc.assert(
      fc.property(fc.string(), (id) => {
        if (isAuthenticatorId(id)) assert.match(id, /^(totp|sms|email|recovery-code)\|[A-Za-z0-9_-]{1,64}$/);
      }),
    );
  });

  test('mfa_token: any string (or five dot-separated parts) is refused with invalid_grant, never another error', async () => {
    const part = fc.string({ unit: fc.constantFrom(...'ABCxyz019-_'.split('')), maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.tuple(part, part, part, part, part).map((p) => p.join('.'))), async (token) => {
        await assert.rejects(readMfaToken(token, { issuer: 'https://auth.example.test/', clientId: 'app' }, Date.now(), loaded), (e: unknown) => {
          assert.ok(e instanceof OAuthError);
          assert.equal(e.error, 'invalid_grant');
          return true;
        });
      }),
      { numRuns: 200 },
    );
  });
});
