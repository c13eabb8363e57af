/**
 * STUB (owner: helper C). Seals secrets kept at rest (TOTP seeds): AWS KMS Encrypt/Decrypt with
 * the tenant's secrets key on AWS (runtimeConfig().secretsKey kind `kms`), AES-256-GCM with the
 * local key file otherwise (kind `file`). `context` is bound to the ciphertext (KMS encryption
 * context / GCM additional data): a sealed seed copied to another user does not open.
 */
export async function sealSecret(_plaintext: string, _context: Readonly<Record<string, string>>): Promise<string> {
  throw new Error('TODO(helper C): sealSecret');
}

export async function openSecret(_sealed: string, _context: Readonly<Record<string, string>>): Promise<string> {
  throw new Error('TODO(helper C): openSecret');
}
