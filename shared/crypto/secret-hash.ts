import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * argon2id in PHC string form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), through node:crypto
 * (Node ≥ 24), so no native addon is needed on arm64 Lambda. Parameters are OWASP's
 * recommended minimum for argon2id (19 MiB, 2 passes, 1 lane).
 */
export const defaults = { memoryKiB: 19_456, passes: 2, parallelism: 1, tagLength: 32, saltLength: 16 };

const b64 = (buf: Buffer) => buf.toString('base64').replace(/=+$/, '');

function derive(secret: string, salt: Buffer, m: number, t: number, p: number, len: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(
      'argon2id',
      { message: secret, nonce: salt, memory: m, passes: t, parallelism: p, tagLength: len },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

export async function hashSecret(secret: string): Promise<string> {
  const { memoryKiB: m, passes: t, parallelism: p, tagLength, saltLength } = defaults;
  const salt = randomBytes(saltLength);
  const hash = await derive(secret, salt, m, t, p, tagLength);
  return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(hash)}`;
}

const phc = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Constant-time check of `secret` against a PHC string; false for anything malformed. */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  const match = phc.exec(encoded);
  if (!match) return false;
  const [, m, t, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  let actual: Buffer;
  try {
    actual = await derive(secret, Buffer.from(salt, 'base64'), Number(m), Number(t), Number(p), expected.length);
  } catch {
    // Parameters argon2 refuses (m below 8·p, t or p of 0, a salt under 8 bytes…): malformed.
    return false;
  }
  return timingSafeEqual(actual, expected);
}
