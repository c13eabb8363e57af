import { readFile } from 'node:fs/promises';
import type { RuntimeConfig } from '../config.ts';
import { parseKeysetDocument, type KeysetDocument } from './keyset-document.ts';

/**
 * Where a function reads the keyset from: the local data folder, or Secrets Manager on AWS.
 * Writing (creation, rotation) is not a function's job; see infra/keys/.
 */
export async function readKeyset(source: RuntimeConfig['keyset']): Promise<KeysetDocument> {
  if (source.kind === 'file') return parseKeysetDocument(await readFile(source.path, 'utf8'));
  // Loaded lazily: the local server never pays for the Secrets Manager client.
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  const out = await client.send(new GetSecretValueCommand({ SecretId: source.secretId }));
  if (!out.SecretString) throw new Error('keyset: the secret has no string value');
  return parseKeysetDocument(out.SecretString);
}
