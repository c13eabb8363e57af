import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { ensureLocalSecretsKey } from '../../../../infra/keys/local-secrets-key.ts';
import { openSecret, sealSecret, type KmsLike } from '../../../../shared/crypto/secret-box.ts';

const context = { user_id: 'auth0|0123456789abcdef01234567', authenticator_id: 'totp|dev_AAAAAAAAAAAAAAAA' };
const seed = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('secret box, local key file (AES-256-GCM)', () => {
  let config: { kind: 'file'; path: string };
  let otherConfig: { kind: 'file'; path: string };
  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-secret-box-'));
    config = { kind: 'file', path: join(dir, 'secrets-key.json') };
    otherConfig = { kind: 'file', path: join(dir, 'other-key.json') };
    await ensureLocalSecretsKey(config.path);
    await ensureLocalSecretsKey(otherConfig.path);
  });

  test('round trip; the sealed value names its format and does not contain the secret; fresh IV each time', async () => {
    const sealed = await sealSecret(seed, context, { config });
    assert.match(sealed, /^l1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    assert.equal(sealed.includes(seed), false);
    assert.equal(await openSecret(sealed, context, { config }), seed);
    assert.notEqual(await sealSecret(seed, context, { config }), sealed);
  });

  test('the context is bound: another user, another authenticator, an extra or missing entry does not open', async () => {
    const sealed = await sealSecret(seed, context, { config });
    for (const wrong of <Record<string, string>[]>[
      { ...context, user_id: 'auth0|ffffffffffffffffffffffff' },
      { ...context, authenticator_id: 'totp|dev_BBBBBBBBBBBBBBBB' },
      { ...context, extra: 'x' },
      { user_id: context.user_id },
      {},
    ]) {
      await assert.rejects(openSecret(sealed, wrong, { config }), JSON.stringify(wrong));
    }
    // Key order does not matter (as for a KMS encryption context).
    assert.equal(await openSecret(sealed, { authenticator_id: context.authenticator_id, user_id: context.user_id }, { config }), seed);
  });

  test('tampering anywhere is refused, never opened to something else', async () => {
    const sealed = await sealSecret(seed, context, { config });
    const [, iv, body] = sealed.split('.') as [string, string, string];
    for (const [part, text] of [['iv', iv], ['body', body]] as const) {
      const bytes = Buffer.from(text, 'base64url');
      for (const position of [0, bytes.length - 1]) {
        const copy = Buffer.from(bytes);
        copy[position]! ^= 0x01;
        const tampered = part === 'iv' ? `l1.${copy.toString('base64url')}.${body}` : `l1.${iv}.${copy.toString('base64url')}`;
        await assert.rejects(openSecret(tampered, context, { config }), `${part} byte ${position}`);
      }
    }
    for (const junk of ['', 'l1.', 'l1.x.y', `l1.${iv}`, `l1.${iv}.${body}.x`, `k1.${body}`, seed]) {
      await assert.rejects(openSecret(junk, context, { config }), JSON.stringify(junk));
    }
  });

  test('another key does not open it', async () => {
    const sealed = await sealSecret(seed, context, { config });
    await assert.rejects(openSecret(sealed, context, { config: otherConfig }));
  });

  test('the format is the documented one: AES-256-GCM, 12-byte IV, 16-byte tag, the context as additional data', async () => {
    const sealed = await sealSecret(seed, context, { config });
    const { readFile } = await import('node:fs/promises');
    const key = Buffer.from((JSON.parse(await readFile(config.path, 'utf8')) as { key: string }).key, 'base64url');
    const [, ivText, bodyText] = sealed.split('.') as [string, string, string];
    const body = Buffer.from(bodyText, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
    decipher.setAAD(Buffer.from(JSON.stringify(['portcullis-secret-box', [['authenticator_id', context.authenticator_id], ['user_id', context.user_id]]])));
    decipher.setAuthTag(body.subarray(body.length - 16));
    assert.equal(Buffer.concat([decipher.update(body.subarray(0, -16)), decipher.final()]).toString(), seed);
  });

  test('a missing or malformed key file, or no key configured, is an error (no silent plaintext)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-secret-box-bad-'));
    await assert.rejects(sealSecret(seed, context, { config: { kind: 'file', path: join(dir, 'missing.json') } }));
    await writeFile(join(dir, 'short.json'), JSON.stringify({ key: randomBytes(16).toString('base64url') }));
    await assert.rejects(sealSecret(seed, context, { config: { kind: 'file', path: join(dir, 'short.json') } }), /not a secrets key file/);
    await assert.rejects(sealSecret(seed, context, { config: { kind: 'none' } }), /no secrets key/);
    await assert.rejects(openSecret('l1.a.b', context, { config: { kind: 'none' } }), /no secrets key/);
  });
});

/**
 * A stand-in for KMS that behaves as KMS does for these calls: the blob is opaque, the key id
 * must match, and the encryption context must be the same map (else InvalidCiphertextException).
 */
function stubKms(keyId: string): KmsLike & { calls: (EncryptCommand | DecryptCommand)[] } {
  const masterKey = randomBytes(32);
  const calls: (EncryptCommand | DecryptCommand)[] = [];
  const aad = (ctx: Record<string, string> | undefined, id: string) => Buffer.from(JSON.stringify([id, Object.entries(ctx ?? {}).sort()]));
  return {
    calls,
    async send(command) {
      calls.push(command);
      if (command instanceof EncryptCommand) {
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
        cipher.setAAD(aad(command.input.EncryptionContext, command.input.KeyId!));
        const body = Buffer.concat([cipher.update(command.input.Plaintext!), cipher.final(), cipher.getAuthTag()]);
        const id = Buffer.from(command.input.KeyId!);
        return { CiphertextBlob: Buffer.concat([Buffer.from([id.length]), id, iv, body]) };
      }
      const blob = Buffer.from(command.input.CiphertextBlob!);
      const idLength = blob[0] ?? 0;
      const id = blob.subarray(1, 1 + idLength).toString();
      const rest = blob.subarray(1 + idLength);
      if (command.input.KeyId !== undefined && command.input.KeyId !== id) throw Object.assign(new Error('IncorrectKeyException'), { name: 'IncorrectKeyException' });
      try {
        const decipher = createDecipheriv('aes-256-gcm', masterKey, rest.subarray(0, 12));
        decipher.setAAD(aad(command.input.EncryptionContext, id));
        decipher.setAuthTag(rest.subarray(rest.length - 16));
        return { Plaintext: Buffer.concat([decipher.update(rest.subarray(12, rest.length - 16)), decipher.final()]) };
      } catch {
        throw Object.assign(new Error('InvalidCiphertextException'), { name: 'InvalidCiphertextException' });
      }
    },
  };
}

describe('secret box, KMS', () => {
  const keyId = 'arn:aws:kms:eu-west-1:111122223333:key/k';
  const config = { kind: 'kms', keyId } as const;

  test('Encrypt and Decrypt with the key id and the context as encryption context; k1. prefix', async () => {
    const kms = stubKms(keyId);
    const sealed = await sealSecret(seed, context, { config, kms });
    assert.match(sealed, /^k1\.[A-Za-z0-9_-]+$/);
    assert.equal(await openSecret(sealed, context, { config, kms }), seed);
    const [encrypt, decrypt] = kms.calls as [EncryptCommand, DecryptCommand];
    assert.ok(encrypt instanceof EncryptCommand);
    assert.equal(encrypt.input.KeyId, keyId);
    assert.deepEqual(encrypt.input.EncryptionContext, context);
    assert.equal(Buffer.from(encrypt.input.Plaintext!).toString(), seed);
    assert.ok(decrypt instanceof DecryptCommand);
    assert.equal(decrypt.input.KeyId, keyId);
    assert.deepEqual(decrypt.input.EncryptionContext, context);
  });

  test('wrong context, another key and tampering are refused by KMS; formats never mix', async () => {
    const kms = stubKms(keyId);
    const sealed = await sealSecret(seed, context, { config, kms });
    await assert.rejects(openSecret(sealed, { ...context, user_id: 'auth0|other' }, { config, kms }), { name: 'InvalidCiphertextException' });
    await assert.rejects(openSecret(sealed, context, { config: { kind: 'kms', keyId: 'arn:aws:kms:eu-west-1:111122223333:key/other' }, kms }), {
      name: 'IncorrectKeyException',
    });
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    await assert.rejects(openSecret(`k1.${bytes.toString('base64url')}`, context, { config, kms }));
    const calls = kms.calls.length;
    await assert.rejects(openSecret(`l1.${'A'.repeat(16)}.${'A'.repeat(40)}`, context, { config, kms }), /not sealed with KMS/);
    await assert.rejects(openSecret('k1.', context, { config, kms }), /malformed/);
    assert.equal(kms.calls.length, calls, 'a value of another format never reaches KMS');
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-secret-box-mix-'));
    await ensureLocalSecretsKey(join(dir, 'k.json'));
    await assert.rejects(openSecret(sealed, context, { config: { kind: 'file', path: join(dir, 'k.json') } }), /not sealed with the local key/);
  });
});
