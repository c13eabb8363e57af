import assert from 'node:assert/strict';
import crypto, { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, mock, test } from 'node:test';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ensureLocalSecretsKey } from '../../../../infra/keys/local-secrets-key.ts';
import { tables } from '../../../../infra/tables.ts';
import { resetRuntimeConfig } from '../../../../shared/config.ts';
import { codeMacKey, codeMatchesDigest, digestCode, type SecretsManagerLike } from '../../../../shared/crypto/code-digest.ts';

const hkdf = (material: Buffer) => Buffer.from(hkdfSync('sha256', material, 'portcullis', 'one-time-code-digest/HMAC-SHA256', 32));

/** A Secrets Manager stand-in that counts its calls and answers `value`. */
function secretsManager(value: string | undefined): SecretsManagerLike & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    async send(command: unknown) {
      calls.push(command);
      return value === undefined ? {} : { SecretString: value };
    },
  };
}

describe('code digests: the MAC key sources', () => {
  let path: string;
  before(async () => {
    path = join(await mkdtemp(join(tmpdir(), 'portcullis-code-digest-')), 'secrets-key.json');
    await ensureLocalSecretsKey(path);
  });

  test('file: HKDF of the local secrets key with its own info — not the key itself, so TOTP sealing never shares it', async () => {
    const raw = Buffer.from((JSON.parse(await readFile(path, 'utf8')) as { key: string }).key, 'base64url');
    const key = await codeMacKey({ kind: 'file', path });
    assert.equal(key.length, 32);
    assert.notDeepEqual(key, raw);
    assert.deepEqual(key, hkdf(raw));
  });

  test('file, through the configuration (SECRETS_KEY_FILE): digests under the derived key verify; under another key they do not', async () => {
    // What shared/config.ts requires; no keyset file, no table is read.
    Object.assign(process.env, {
      ISSUER: 'https://auth.example.test/',
      KEYSET_FILE: '/nonexistent/keyset.json',
      ...Object.fromEntries(tables.map((t) => [t.envVar, `unused-${t.id}`])),
      SECRETS_KEY_FILE: path,
    });
    delete process.env.CODE_MAC_SECRET_ID;
    resetRuntimeConfig();
    const digest = await digestCode('passwordless', '123456');
    assert.match(digest, /^m1\.[A-Za-z0-9_-]{43}$/);
    assert.equal(digest, await digestCode('passwordless', '123456', await codeMacKey({ kind: 'file', path })));
    assert.equal(await codeMatchesDigest('passwordless', '123456', digest), true);
    assert.equal(await codeMatchesDigest('passwordless', '123456', digest, randomBytes(32)), false);
  });

  test('secretsmanager: GetSecretValue on the configured secret once, however many concurrent callers; HKDF of the secret string', async () => {
    const secret = 'A'.repeat(20) + randomBytes(32).toString('hex');
    const client = secretsManager(secret);
    const source = { kind: 'secretsmanager', secretId: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:mac-${Date.now()}` } as const;
    const keys = await Promise.all(Array.from({ length: 5 }, () => codeMacKey(source, client)));
    assert.equal(client.calls.length, 1);
    assert.ok(client.calls[0] instanceof GetSecretValueCommand);
    assert.deepEqual((client.calls[0] as GetSecretValueCommand).input, { SecretId: source.secretId });
    for (const key of keys) assert.deepEqual(key, hkdf(Buffer.from(secret, 'utf8')));
    // Cached for the function's life (cold start): a later call does not read again.
    await codeMacKey(source, client);
    assert.equal(client.calls.length, 1);
  });

  test('secretsmanager: no value or a value too short to be a key is refused, and the failure is not cached', async () => {
    const source = { kind: 'secretsmanager', secretId: `mac-retry-${Date.now()}` } as const;
    await assert.rejects(codeMacKey(source, secretsManager(undefined)), /no string value/);
    await assert.rejects(codeMacKey(source, secretsManager('short')), /shorter than 32 bytes/);
    const good = secretsManager('x'.repeat(64));
    assert.equal((await codeMacKey(source, good)).length, 32);
    assert.equal(good.calls.length, 1);
  });

  test('none: digesting fails loudly (a misdeployed function), it never digests with no key', async () => {
    await assert.rejects(codeMacKey({ kind: 'none' }), /no code MAC key is configured/);
  });

  test('a MAC key given directly must have 256 bits', async () => {
    await assert.rejects(digestCode('passwordless', '123456', randomBytes(16)), /at least 256 bits/);
  });
});

describe('code digests: verification', () => {
  const key = randomBytes(32);

  test('the digest is HMAC-SHA256 over purpose and code; the same code verifies, another code or purpose does not', async () => {
    const digest = await digestCode('passwordless', '012345', key);
    assert.equal(digest, `m1.${createHmac('sha256', key).update('passwordless\n012345').digest('base64url')}`);
    assert.equal(digest.includes('012345'), false);
    assert.equal(await codeMatchesDigest('passwordless', '012345', digest, key), true);
    assert.equal(await codeMatchesDigest('passwordless', '012346', digest, key), false);
    assert.equal(await codeMatchesDigest('passwordless', '12345', digest, key), false);
    assert.equal(await codeMatchesDigest('mfa-oob-binding', '012345', digest, key), false);
  });

  test('a tampered digest does not verify: any one character changed', async () => {
    const digest = await digestCode('passwordless', '654321', key);
    for (let i = 3; i < digest.length; i++) {
      const c = digest[i] === 'A' ? 'B' : 'A';
      const tampered = digest.slice(0, i) + c + digest.slice(i + 1);
      assert.equal(await codeMatchesDigest('passwordless', '654321', tampered, key), false, tampered);
    }
  });

  test('anything not an m1 digest is false, never a throw: empty, truncated, padded, another prefix, the old keyset format, not a string', async () => {
    const mac = (await digestCode('passwordless', '111111', key)).slice(3);
    const wrong: unknown[] = ['', 'm1.', 'm1', `m1.${mac.slice(1)}`, `m1.${mac}A`, `m1.${mac}=`, `m2.${mac}`, `M1.${mac}`, `kid-1.${mac}`, `.${mac}`, mac,
      `m1.${mac.slice(0, 42)}+`, `m1.${mac.slice(0, 42)}\u0000`, 'm1.' + 'é'.repeat(43), null, undefined, 42, { toString: () => `m1.${mac}` }];
    for (const stored of wrong) {
      assert.equal(await codeMatchesDigest('passwordless', '111111', stored as string, key), false, String(stored));
    }
    assert.equal(await codeMatchesDigest('passwordless', 111111 as unknown as string, `m1.${mac}`, key), false);
  });

  test('well-formed digests are compared in constant time (crypto.timingSafeEqual), right or wrong; malformed ones never reach a comparison', async () => {
    const digest = await digestCode('passwordless', '222222', key);
    const spy = mock.method(crypto, 'timingSafeEqual');
    syncBuiltinESMExports();
    try {
      assert.equal(await codeMatchesDigest('passwordless', '222222', digest, key), true);
      assert.equal(spy.mock.callCount(), 1);
      assert.equal(await codeMatchesDigest('passwordless', '222223', digest, key), false);
      assert.equal(spy.mock.callCount(), 2);
      // Both sides are hashed first, so the comparison has a fixed length whatever was stored.
      for (const call of spy.mock.calls) assert.deepEqual(call.arguments.map((a) => (a as Buffer).length), [32, 32]);
      assert.equal(await codeMatchesDigest('passwordless', '222222', 'm1.short', key), false);
      assert.equal(spy.mock.callCount(), 2);
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
  });
});
