import { readFile } from 'node:fs/promises';

/**
 * The local secrets key file (`<data dir>/secrets-key.json`, infra/keys/local-secrets-key.ts):
 * 256 random bits, read once per process and path. Local stand-in for the AWS key material:
 * the secrets key (secret-box.ts seals with it directly) and the code MAC key (code-digest.ts
 * derives its own key from it with HKDF, so the two uses never share a key).
 */
const keys = new Map<string, Promise<Buffer>>();

export function readLocalSecretsKey(path: string): Promise<Buffer> {
  let key = keys.get(path);
  if (!key) {
    key = readFile(path, 'utf8').then((text) => {
      const doc = JSON.parse(text) as { key?: unknown };
      const bytes = typeof doc.key === 'string' ? Buffer.from(doc.key, 'base64url') : Buffer.alloc(0);
      if (bytes.length !== 32) throw new Error(`${path} is not a secrets key file (expected {"key": <32 bytes, base64url>})`);
      return bytes;
    });
    // A failed read is not cached: the next request tries again.
    key.catch(() => keys.delete(path));
    keys.set(path, key);
  }
  return key;
}
