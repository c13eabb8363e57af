/**
 * Base32 (RFC 4648 §6, alphabet A–Z 2–7) for TOTP secrets. Encoding writes no padding
 * (authenticator apps and Auth0's `secret` omit it); decoding accepts either case, optional
 * `=` padding and the spaces people type when copying a secret by hand.
 */
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array, options: { padding?: boolean } = {}): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  if (options.padding) while (out.length % 8 !== 0) out += '=';
  return out;
}

/** The bytes of a base32 string, or undefined when it is not base32. */
export function base32Decode(text: string): Buffer | undefined {
  if (typeof text !== 'string') return undefined;
  const clean = text.replace(/\s+/g, '').toUpperCase().replace(/=+$/, '');
  // RFC 4648 §6: a final quantum leaves 2, 4, 5 or 7 characters, never 1, 3 or 6.
  if ([1, 3, 6].includes(clean.length % 8)) return undefined;
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = alphabet.indexOf(char);
    if (value < 0) return undefined;
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
