import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaults, hashSecret, verifySecret } from '../../../../shared/crypto/secret-hash.ts';

describe('secret hashing (argon2id PHC)', () => {
  test('a hash verifies its own secret', async () => {
    const hash = await hashSecret('correct horse battery staple');
    assert.equal(await verifySecret('correct horse battery staple', hash), true);
  });

  test('the PHC string carries the OWASP parameters and never the secret', async () => {
    const hash = await hashSecret('visible-secret');
    assert.match(hash, new RegExp(`^\\$argon2id\\$v=19\\$m=${defaults.memoryKiB},t=${defaults.passes},p=${defaults.parallelism}\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$`));
    assert.equal(hash.includes('visible-secret'), false);
  });

  test('two hashes of one secret differ (random salt) and both verify', async () => {
    const [a, b] = await Promise.all([hashSecret('same'), hashSecret('same')]);
    assert.notEqual(a, b);
    assert.equal(await verifySecret('same', a), true);
    assert.equal(await verifySecret('same', b), true);
  });

  test('a wrong secret is false', async () => {
    const hash = await hashSecret('right');
    assert.equal(await verifySecret('wrong', hash), false);
    assert.equal(await verifySecret('right ', hash), false);
    assert.equal(await verifySecret('', hash), false);
  });

  test('a malformed PHC string is false', async () => {
    const hash = await hashSecret('s');
    for (const bad of ['', 'plain', hash.replace('argon2id', 'argon2i'), hash.replace('v=19', 'v=16'), hash.slice(0, -5) + '!!!!!', `${hash}$extra`]) {
      assert.equal(await verifySecret('s', bad), false, bad);
    }
  });

  test('a well-formed PHC string with impossible parameters is false, not an error', async () => {
    const salt = Buffer.alloc(16, 1).toString('base64').replace(/=+$/, '');
    const tag = Buffer.alloc(32, 2).toString('base64').replace(/=+$/, '');
    for (const params of ['m=1,t=2,p=1', 'm=19456,t=0,p=1', 'm=19456,t=2,p=0']) {
      assert.equal(await verifySecret('s', `$argon2id$v=19$${params}$${salt}$${tag}`), false, params);
    }
    assert.equal(await verifySecret('s', `$argon2id$v=19$m=19456,t=2,p=1$AAAA$${tag}`), false, 'salt too short');
    assert.equal(await verifySecret('s', `$argon2id$v=19$m=19456,t=2,p=1$${salt}$AA`), false, 'tag too short');
  });
});
