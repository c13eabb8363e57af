import { createHmac, hkdfSync } from 'node:crypto';
import { runtimeConfig, type RuntimeConfig } from '../config.ts';
import { readLocalSecretsKey } from './local-secrets-key.ts';
import { safeEqual } from './digest.ts';

/**
 * Keyed digests of short one-time codes (passwordless codes, MFA binding codes). A plain hash
 * of a 6-digit code is reversed by trying a million values, so a copy of the codes table
 * would give every live code away; an HMAC needs the key too.
 *
 * The key is the codes' own (runtimeConfig().codeMacKey): a random secret in Secrets Manager
 * on AWS, derived from the local secrets key file otherwise. Not the signing keyset, on
 * purpose: POST /passwordless/start takes unauthenticated input and only needs to digest
 * codes; with a key derived from the keyset it had to read the signing keys, and a
 * compromised function could have minted tokens. Either source goes through HKDF-SHA256
 * (RFC 5869) with its own `info`, so the local secrets key's other use (sealing TOTP seeds)
 * never shares a key with this one.
 *
 * The digest names its format (`m1.<base64url HMAC-SHA256>`): anything else — an older
 * keyset-derived digest, a truncated or foreign value — verifies as false, never throws.
 * `purpose` separates the uses (a passwordless code's digest never verifies as an MFA code).
 */
export type CodeMacKeySource = RuntimeConfig['codeMacKey'];

/** The part of SecretsManagerClient used here (a stub in tests). */
export interface SecretsManagerLike {
  send(command: unknown): Promise<{ SecretString?: string }>;
}

const prefix = 'm1.';
/** An HMAC-SHA256 in base64url: 32 bytes → 43 characters. */
const macPattern = /^[A-Za-z0-9_-]{43}$/;
const hkdfInfo = 'one-time-code-digest/HMAC-SHA256';
/** Fewer bytes of key material than this is a misconfiguration, not a key (the generated secret has 64 characters). */
const minimumMaterialBytes = 32;

const keys = new Map<string, Promise<Buffer>>();

/**
 * The MAC key of `source`, read once per function instance (cold start) and cached; a failed
 * read is not cached, so the next request tries again. `secretsManager` is for tests.
 */
export function codeMacKey(source: CodeMacKeySource = runtimeConfig().codeMacKey, secretsManager?: SecretsManagerLike): Promise<Buffer> {
  if (source.kind === 'none') return Promise.reject(new Error('code digests: no code MAC key is configured (CODE_MAC_SECRET_ID or SECRETS_KEY_FILE)'));
  const id = source.kind === 'file' ? `file:${source.path}` : `secretsmanager:${source.secretId}`;
  let key = keys.get(id);
  if (!key) {
    key = keyMaterial(source, secretsManager).then(deriveMacKey);
    key.catch(() => keys.delete(id));
    keys.set(id, key);
  }
  return key;
}

async function keyMaterial(source: Exclude<CodeMacKeySource, { kind: 'none' }>, stub: SecretsManagerLike | undefined): Promise<Buffer> {
  if (source.kind === 'file') return readLocalSecretsKey(source.path);
  // Loaded lazily, as shared/tokens/keyset-source.ts does: the local server never pays for it.
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = stub ?? (new SecretsManagerClient({}) as SecretsManagerLike);
  const out = await client.send(new GetSecretValueCommand({ SecretId: source.secretId }));
  if (!out.SecretString) throw new Error('code digests: the code MAC secret has no string value');
  return Buffer.from(out.SecretString, 'utf8');
}

function deriveMacKey(material: Buffer): Buffer {
  if (material.length < minimumMaterialBytes) throw new Error(`code digests: the code MAC key material is shorter than ${minimumMaterialBytes} bytes`);
  return Buffer.from(hkdfSync('sha256', material, 'portcullis', hkdfInfo, 32));
}

function checkedKey(key: Uint8Array): Uint8Array {
  if (key.length < 32) throw new Error('code digests: a MAC key has at least 256 bits');
  return key;
}

const mac = (key: Uint8Array, purpose: string, code: string) => createHmac('sha256', key).update(`${purpose}\n${code}`).digest('base64url');

/**
 * `m1.<base64url HMAC>` of `code` for `purpose`. `key` is the MAC key itself (at least 32
 * bytes), for tests; by default the configured one.
 */
export async function digestCode(purpose: string, code: string, key?: Uint8Array): Promise<string> {
  return `${prefix}${mac(key ? checkedKey(key) : await codeMacKey(), purpose, code)}`;
}

/**
 * Whether `code` is the one `stored` was made from, compared in constant time (safeEqual
 * hashes both sides first, so not even the length leaks). A value that is not an `m1.`
 * digest is false.
 */
export async function codeMatchesDigest(purpose: string, code: string, stored: string, key?: Uint8Array): Promise<boolean> {
  if (typeof code !== 'string' || typeof stored !== 'string' || !stored.startsWith(prefix)) return false;
  const digest = stored.slice(prefix.length);
  if (!macPattern.test(digest)) return false;
  return safeEqual(digest, mac(key ? checkedKey(key) : await codeMacKey(), purpose, code));
}
