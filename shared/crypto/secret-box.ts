import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { runtimeConfig, type RuntimeConfig } from '../config.ts';
import { readLocalSecretsKey } from './local-secrets-key.ts';

/**
 * Seals secrets kept at rest (TOTP seeds): AWS KMS Encrypt/Decrypt with the tenant's secrets
 * key on AWS (runtimeConfig().secretsKey kind `kms`), AES-256-GCM with the local key file
 * otherwise (kind `file`, infra/keys/local-secrets-key.ts). `context` is bound to the
 * ciphertext (KMS encryption context / GCM additional data): a sealed seed copied to another
 * user or authenticator does not open.
 *
 * A sealed value names its format: `l1.<iv>.<ciphertext+tag>` (local) or `k1.<blob>` (KMS).
 * A function opens only its own configured format, so a local seed never reaches KMS or the
 * other way round, and a future format can sit beside these.
 */
type SecretsKeyConfig = RuntimeConfig['secretsKey'];
type Context = Readonly<Record<string, string>>;

/** The part of KMSClient used here (a stub in tests). */
export interface KmsLike {
  send(command: EncryptCommand | DecryptCommand): Promise<{ CiphertextBlob?: Uint8Array; Plaintext?: Uint8Array }>;
}

export interface SecretBoxOptions {
  /** Defaults to runtimeConfig().secretsKey. */
  readonly config?: SecretsKeyConfig;
  /** Defaults to one KMSClient per function. */
  readonly kms?: KmsLike;
}

const localPrefix = 'l1.';
const kmsPrefix = 'k1.';

export async function sealSecret(plaintext: string, context: Context, options: SecretBoxOptions = {}): Promise<string> {
  const config = options.config ?? runtimeConfig().secretsKey;
  if (config.kind === 'file') {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await localKey(config.path), iv);
    cipher.setAAD(additionalData(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${localPrefix}${iv.toString('base64url')}.${body.toString('base64url')}`;
  }
  if (config.kind === 'kms') {
    const out = await kmsOf(options).send(
      new EncryptCommand({ KeyId: config.keyId, Plaintext: Buffer.from(plaintext, 'utf8'), EncryptionContext: { ...context } }),
    );
    if (!out.CiphertextBlob) throw new Error('secret box: KMS returned no ciphertext');
    return `${kmsPrefix}${Buffer.from(out.CiphertextBlob).toString('base64url')}`;
  }
  throw new Error('secret box: no secrets key is configured (SECRETS_KMS_KEY_ID or SECRETS_KEY_FILE)');
}

/** The plaintext, or a throw: wrong context, tampered, another format or key. Never a wrong plaintext. */
export async function openSecret(sealed: string, context: Context, options: SecretBoxOptions = {}): Promise<string> {
  const config = options.config ?? runtimeConfig().secretsKey;
  if (typeof sealed !== 'string') throw new Error('secret box: not a sealed value');
  if (config.kind === 'file') {
    if (!sealed.startsWith(localPrefix)) throw new Error('secret box: not sealed with the local key');
    const [ivText, bodyText, ...rest] = sealed.slice(localPrefix.length).split('.');
    const iv = Buffer.from(ivText ?? '', 'base64url');
    const body = Buffer.from(bodyText ?? '', 'base64url');
    if (rest.length > 0 || iv.length !== 12 || body.length < 16) throw new Error('secret box: malformed sealed value');
    const decipher = createDecipheriv('aes-256-gcm', await localKey(config.path), iv);
    decipher.setAAD(additionalData(context));
    decipher.setAuthTag(body.subarray(body.length - 16));
    // final() throws when the tag does not verify (tampered, other key, other context).
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
  }
  if (config.kind === 'kms') {
    if (!sealed.startsWith(kmsPrefix)) throw new Error('secret box: not sealed with KMS');
    const blob = Buffer.from(sealed.slice(kmsPrefix.length), 'base64url');
    if (blob.length === 0) throw new Error('secret box: malformed sealed value');
    // KeyId pins the key: a blob sealed under another key is refused rather than opened with it.
    const out = await kmsOf(options).send(new DecryptCommand({ KeyId: config.keyId, CiphertextBlob: blob, EncryptionContext: { ...context } }));
    if (!out.Plaintext) throw new Error('secret box: KMS returned no plaintext');
    return Buffer.from(out.Plaintext).toString('utf8');
  }
  throw new Error('secret box: no secrets key is configured (SECRETS_KMS_KEY_ID or SECRETS_KEY_FILE)');
}

/**
 * The GCM additional data: the context with its keys sorted (KMS treats the encryption
 * context as an unordered map; so does this), as JSON, so `{a:'b,c'}` and `{a:'b', c:''}`
 * cannot collide.
 */
function additionalData(context: Context): Buffer {
  const sorted = Object.keys(context)
    .sort()
    .map((key) => [key, context[key]]);
  return Buffer.from(JSON.stringify(['portcullis-secret-box', sorted]), 'utf8');
}

/** Errors name the secret box, as every other failure here does. */
function localKey(path: string): Promise<Buffer> {
  return readLocalSecretsKey(path).catch((error: unknown) => {
    throw new Error(`secret box: ${(error as Error).message}`);
  });
}

let kmsClient: KMSClient | undefined;

function kmsOf(options: SecretBoxOptions): KmsLike {
  if (options.kms) return options.kms;
  kmsClient ??= new KMSClient({});
  return kmsClient as KmsLike;
}
