import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { parseKeysetDocument, type KeysetDocument } from '#shared/tokens/keyset-document';

/**
 * Reading and writing the keyset secret, for the keys function and `npm run keys:rotate`.
 * Only the keys function's role (and operators with their own IAM rights) may write it.
 */

/**
 * The keyset held by the secret, or undefined when it holds none yet: the stack creates the
 * secret empty, and a value that is not a keyset with a current key is not one. Any other
 * failure (access denied, throttling) is thrown, so a transient error never leads to the
 * keyset being overwritten.
 */
export async function readKeysetSecret(client: SecretsManagerClient, secretId: string): Promise<KeysetDocument | undefined> {
  let text: string | undefined;
  try {
    text = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    // An empty secret has no AWSCURRENT version: Secrets Manager answers ResourceNotFound.
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
  return text === undefined ? undefined : usableKeyset(text);
}

export async function writeKeysetSecret(client: SecretsManagerClient, secretId: string, doc: KeysetDocument): Promise<void> {
  await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(doc) }));
}

function usableKeyset(text: string): KeysetDocument | undefined {
  try {
    const doc = parseKeysetDocument(text);
    return doc.keys.some((key) => key.status === 'current' && key.kid && key.privateJwk) ? doc : undefined;
  } catch {
    return undefined;
  }
}
