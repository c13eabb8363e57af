import { randomInt } from 'node:crypto';
import { sha256Base64Url } from '../crypto/digest.ts';

/**
 * Recovery codes as Auth0 shows them (24 upper-case letters and digits, e.g.
 * `N3BGPZZWJ85JLCNPZBDW6QXC`), here without the characters people confuse (0/O, 1/I/L), so
 * 24 characters of 31 carry ~119 random bits: enough that a plain SHA-256 digest is all the
 * table needs to hold (no keyed digest as for 6-digit codes).
 */
const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const length = 24;

export function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < length; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}

/** What a user typed, made comparable: spaces and dashes dropped, upper-cased; undefined when it cannot be a code. */
export function normalizeRecoveryCode(input: string): string | undefined {
  if (typeof input !== 'string' || input.length > 100) return undefined;
  const code = input.replace(/[\s-]+/g, '').toUpperCase();
  if (code.length !== length) return undefined;
  for (const char of code) if (!alphabet.includes(char)) return undefined;
  return code;
}

export function recoveryCodeDigest(normalized: string): string {
  return sha256Base64Url(`recovery-code\n${normalized}`);
}
