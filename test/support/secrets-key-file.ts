import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalSecretsKey } from '../../infra/keys/local-secrets-key.ts';
import { resetRuntimeConfig } from '../../shared/config.ts';

/**
 * For tests of code digests (passwordless codes, MFA OOB binding codes) and sealed secrets:
 * a fresh local secrets key file, as `npm start` makes one, and SECRETS_KEY_FILE pointing at
 * it. The code MAC key is derived from it (shared/crypto/code-digest.ts); no keyset needed.
 */
export async function useSecretsKeyFile(): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'portcullis-secrets-key-')), 'secrets-key.json');
  await ensureLocalSecretsKey(path);
  process.env.SECRETS_KEY_FILE = path;
  delete process.env.CODE_MAC_SECRET_ID;
  delete process.env.SECRETS_KMS_KEY_ID;
  resetRuntimeConfig();
  return path;
}
