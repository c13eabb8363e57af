import assert from 'node:assert/strict';
import { argon2Sync } from 'node:crypto';
import { describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { hashPassword, isSupportedPasswordHash, verifyNothing, verifyPassword } from '../../../../shared/crypto/password.ts';
import { defaults } from '../../../../shared/crypto/secret-hash.ts';

/**
 * User passwords: argon2id for new hashes; argon2id and bcrypt (Auth0's export format) verify,
 * and anything old or bcrypt asks to be rehashed. Known-answer vectors come from the reference
 * implementations' test suites, so a bug shared by hashing and verifying would still show.
 */
const phc = (password: string, salt: string, m: number, t: number, p: number, tagLength = 32) => {
  const tag = argon2Sync('argon2id', { message: password, nonce: Buffer.from(salt), memory: m, passes: t, parallelism: p, tagLength });
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(Buffer.from(salt))}$${b64(tag)}`;
};

describe('argon2id', () => {
  test('known answer: the reference implementation\'s argon2id vector ("password", "somesalt", m=64 MiB, t=2, p=1)', async () => {
    // test.c of the argon2 reference code: 09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7
    const stored = '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc';
    assert.equal(Buffer.from('CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc', 'base64').toString('hex'), '09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7');
    assert.deepEqual(await verifyPassword('password', stored), { ok: true, needsRehash: false });
    assert.deepEqual(await verifyPassword('Password', stored), { ok: false, needsRehash: false });
  });

  test('hashPassword makes an argon2id PHC string with the OWASP parameters and a fresh salt', async () => {
    const a = await hashPassword('s3cret-Password');
    const b = await hashPassword('s3cret-Password');
    assert.match(a, new RegExp(`^\\$argon2id\\$v=19\\$m=${defaults.memoryKiB},t=${defaults.passes},p=${defaults.parallelism}\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$`));
    assert.notEqual(a, b);
    assert.deepEqual(await verifyPassword('s3cret-Password', a), { ok: true, needsRehash: false });
    assert.deepEqual(await verifyPassword('s3cret-password', a), { ok: false, needsRehash: false });
  });

  test('a correct password against weaker parameters than today\'s asks to be rehashed; a wrong one does not', async () => {
    for (const weaker of [phc('pw', 'saltsaltsalt', 4096, 2, 1), phc('pw', 'saltsaltsalt', defaults.memoryKiB, 1, 1), phc('pw', 'saltsaltsalt', defaults.memoryKiB, 2, 1, 16)]) {
      assert.deepEqual(await verifyPassword('pw', weaker), { ok: true, needsRehash: true }, weaker);
      assert.deepEqual(await verifyPassword('nope', weaker), { ok: false, needsRehash: false }, weaker);
    }
  });

  test('passwords with any characters survive the round trip', async () => {
    const password = 'pässwörd 🔐 \u0000 "quoted" \\ tab\t';
    assert.equal((await verifyPassword(password, await hashPassword(password))).ok, true);
  });
});

describe('bcrypt (hashes imported from Auth0)', () => {
  // OpenWall crypt_blowfish test vectors (also used by jBCrypt and bcryptjs).
  const vectors: [string, string][] = [
    ['U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
    ['U*U*', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK'],
    ['U*U*U', '$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a'],
    ['', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy'],
    ['0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored', '$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui'],
  ];

  test('known answers verify, and always ask to be rehashed', async () => {
    for (const [password, stored] of vectors) {
      assert.deepEqual(await verifyPassword(password, stored), { ok: true, needsRehash: true }, stored);
      assert.deepEqual(await verifyPassword(`x${password}`, stored), { ok: false, needsRehash: false }, stored);
    }
  });

  test('bcrypt reads only the first 72 bytes of a password, as Auth0\'s did', async () => {
    const [password, stored] = vectors[4]!;
    assert.equal((await verifyPassword(`${password} and more`, stored)).ok, true);
  });

  test('$2b$ and $2y$ (PHP) are the same algorithm as $2a$ for ASCII passwords', async () => {
    const [password, stored] = vectors[0]!;
    for (const version of ['$2b$', '$2y$']) {
      assert.equal((await verifyPassword(password, stored.replace('$2a$', version))).ok, true, version);
    }
  });

  test('a hash made with bcryptjs (as an export would carry it) verifies', async () => {
    const stored = bcrypt.hashSync('Imported-from-Auth0!', 10);
    assert.match(stored, /^\$2b\$10\$/);
    assert.deepEqual(await verifyPassword('Imported-from-Auth0!', stored), { ok: true, needsRehash: true });
    assert.equal((await verifyPassword('imported-from-auth0!', stored)).ok, false);
  });
});

describe('malformed stored hashes are false, never a throw', () => {
  const good = '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW';
  const malformed = [
    '',
    'plaintext',
    'U*U',
    '$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
    '$2a$5$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
    '$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
    // Cost 31 would take hours: refused as malformed rather than run.
    '$2a$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
    good.slice(0, -1),
    `${good}A`,
    good.replace('C.E5', 'C!E5'),
    '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ',
    '$argon2id$v=19$m=0,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc',
    '$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc',
    '$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc',
    '$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc',
    '$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc',
  ];
  for (const stored of malformed) {
    test(JSON.stringify(stored.slice(0, 40)), async () => {
      assert.deepEqual(await verifyPassword('U*U', stored), { ok: false, needsRehash: false });
      assert.deepEqual(await verifyPassword('password', stored), { ok: false, needsRehash: false });
    });
  }

  test('isSupportedPasswordHash accepts exactly the forms verifyPassword can check', () => {
    assert.equal(isSupportedPasswordHash(good), true);
    assert.equal(isSupportedPasswordHash('$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'), true);
    for (const stored of ['', 'plaintext', '$2a$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', '$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFh']) {
      assert.equal(isSupportedPasswordHash(stored), false, stored);
    }
  });

  test('an argon2id hash asking for more than 256 MiB, 16 passes or 8 lanes is refused, unchecked (it could stall every login)', async () => {
    for (const params of ['m=4194304,t=2,p=1', 'm=19456,t=100,p=1', 'm=19456,t=2,p=64']) {
      const stored = `$argon2id$v=19$${params}$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc`;
      assert.equal(isSupportedPasswordHash(stored), false, stored);
      assert.deepEqual(await verifyPassword('password', stored), { ok: false, needsRehash: false });
    }
  });

  test('a stored value that is not a string at all', async () => {
    assert.deepEqual(await verifyPassword('x', undefined as unknown as string), { ok: false, needsRehash: false });
  });
});

test('verifyNothing resolves (it spends an argon2id verification and has nothing to return)', async () => {
  assert.equal(await verifyNothing('whatever'), undefined);
  assert.equal(await verifyNothing(''), undefined);
});
