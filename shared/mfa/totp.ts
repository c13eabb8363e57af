import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from '../crypto/digest.ts';
import { base32Decode, base32Encode } from './base32.ts';

/**
 * TOTP (RFC 6238) over HOTP (RFC 4226) with the parameters every authenticator app assumes
 * and Auth0's barcode_uri states: HMAC-SHA1, 30 s steps, 6 digits, T0 = 0. Secrets are base32
 * (RFC 4648 §6) without padding, as Google Authenticator's Key URI format expects.
 */
export const totpPeriodSeconds = 30;
export const totpDigits = 6;

/** A new random secret (160 bits, the length RFC 4226 §4 R6 recommends), base32 without padding. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** RFC 4226 §5.3: HMAC-SHA-1 of the 8-byte big-endian counter, dynamic truncation, mod 10^digits. */
export function hotp(key: Buffer, counter: number, digits = totpDigits): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return binary.toString().padStart(digits, '0');
}

/** The code of `step` (RFC 6238 T) for a base32 secret. */
export function totpCode(secretBase32: string, step: number): string {
  return hotp(secretKey(secretBase32), step);
}

export const totpStep = (nowMs: number) => Math.floor(nowMs / 1000 / totpPeriodSeconds);

/**
 * The step within ±`window` of now whose code equals `code` (constant-time compares), or
 * undefined. RFC 6238 §5.2 recommends at most one step of drift either way. Every candidate
 * is compared (no early exit), so the time taken says nothing about which one matched.
 */
export function matchingTotpStep(secretBase32: string, code: string, nowMs: number, window = 1): number | undefined {
  if (typeof code !== 'string' || !/^[0-9]{6}$/.test(code)) return undefined;
  const key = secretKey(secretBase32);
  const now = totpStep(nowMs);
  let found: number | undefined;
  for (let step = now - window; step <= now + window; step++) {
    if (step < 0) continue;
    if (safeEqual(hotp(key, step), code) && found === undefined) found = step;
  }
  return found;
}

/**
 * `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`
 * (Auth0's barcode_uri; Google Authenticator Key URI format: the label's issuer and account
 * are percent-encoded, and the colon between them stays literal).
 */
export function otpauthUri(input: { issuer: string; account: string; secret: string }): string {
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.account)}`;
  const query = new URLSearchParams({
    secret: input.secret,
    issuer: input.issuer,
    algorithm: 'SHA1',
    digits: String(totpDigits),
    period: String(totpPeriodSeconds),
  });
  // URLSearchParams writes spaces as '+', which apps read literally in the issuer: use %20.
  return `otpauth://totp/${label}?${query.toString().replaceAll('+', '%20')}`;
}

function secretKey(secretBase32: string): Buffer {
  const key = base32Decode(secretBase32);
  if (!key || key.length === 0) throw new Error('totp: the secret is not base32');
  return key;
}
