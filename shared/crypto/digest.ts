import { createHash, timingSafeEqual } from 'node:crypto';

export function sha256(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}

export function sha256Base64Url(value: string | Buffer): string {
  return sha256(value).toString('base64url');
}

/** Constant-time string equality that does not leak the length through early exit. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}
