import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { verifySecret } from '../crypto/secret-hash.ts';

/**
 * Client secrets are stored as argon2id hashes, which cost tens of milliseconds to check:
 * far too slow to pay per token request. After one successful check, a function remembers an
 * HMAC of the secret under a key that exists only in its memory, and compares against that
 * in constant time. The memory never holds the secret itself, and the entry is dropped as soon
 * as the stored hash changes (secret rotated).
 */
// A KeyObject, not a Buffer: node:crypto re-imports a Buffer key on every createHmac
// (13 µs against 2 µs here, measured on Node 24), and this runs on every token request.
const processKey = createSecretKey(randomBytes(32));
const verified = new Map<string, { storedHash: string; mac: Buffer }>();

const mac = (secret: string) => createHmac('sha256', processKey).update(secret).digest();

export async function checkClientSecret(clientId: string, presented: string, storedHash: string): Promise<boolean> {
  const known = verified.get(clientId);
  if (known && known.storedHash === storedHash) {
    return timingSafeEqual(known.mac, mac(presented));
  }
  if (!(await verifySecret(presented, storedHash))) return false;
  if (verified.size > 10_000) verified.clear();
  verified.set(clientId, { storedHash, mac: mac(presented) });
  return true;
}
