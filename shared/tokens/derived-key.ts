import { hkdfSync } from 'node:crypto';
import type { LoadedKey } from './keyset.ts';

/**
 * A 256-bit symmetric key derived (HKDF-SHA256, RFC 5869) from the private part of a keyset
 * key, for one named use (`info`): opaque access tokens and mfa_tokens each get their own, so
 * no two uses ever share a key. Deriving from the keyset means these rotate with it and need
 * no secret of their own — and that only functions which read the keyset can use them (one-time
 * code digests, needed by POST /passwordless/start, which must not read the keyset, have their
 * own key: shared/crypto/code-digest.ts). Cached per key and use: an RSA private
 * export costs more than the HMAC or AES-GCM it feeds.
 */
const cache = new Map<string, Buffer>();

export function derivedKey(key: LoadedKey, info: string): Buffer {
  const id = `${key.kid}\n${info}`;
  let derived = cache.get(id);
  if (!derived) {
    const d = (key.key.export({ format: 'jwk' }) as { d?: string }).d;
    if (!d) throw new Error(`derived keys: key ${key.kid} has no private part`);
    derived = Buffer.from(hkdfSync('sha256', Buffer.from(d, 'base64url'), 'portcullis', info, 32));
    cache.set(id, derived);
  }
  return derived;
}
