import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The local secrets key: 256 random bits in `<data dir>/secrets-key.json` (mode 0600), what
 * the KMS key is on AWS. It seals TOTP seeds (shared/crypto/secret-box.ts) and, unlike the
 * signing keyset, never rotates: a seed sealed today must open for as long as the user keeps it.
 */
export async function ensureLocalSecretsKey(path: string): Promise<void> {
  try {
    const doc = JSON.parse(await readFile(path, 'utf8')) as { key?: unknown };
    if (typeof doc.key === 'string' && Buffer.from(doc.key, 'base64url').length === 32) return;
    throw new Error(`${path}: not a secrets key file (expected {"key": <32 bytes, base64url>})`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ key: randomBytes(32).toString('base64url') }), { mode: 0o600 });
  await rename(tmp, path);
}
