import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { checkClientSecret } from '../../../../shared/client-auth/client-secret.ts';
import { hashSecret } from '../../../../shared/crypto/secret-hash.ts';

describe('checkClientSecret (argon2id check, then an in-memory HMAC cache)', () => {
  let hashA: string;
  let hashB: string;
  before(async () => {
    [hashA, hashB] = await Promise.all([hashSecret('secret-A-0123456789'), hashSecret('secret-B-0123456789')]);
  });

  test('the right secret is true, first from the hash and then from the cache', async () => {
    assert.equal(await checkClientSecret('c1', 'secret-A-0123456789', hashA), true);
    assert.equal(await checkClientSecret('c1', 'secret-A-0123456789', hashA), true);
  });

  test('a wrong secret is false before anything is cached', async () => {
    assert.equal(await checkClientSecret('c2', 'nope', hashA), false);
  });

  test('once cached, only the same secret is true', async () => {
    assert.equal(await checkClientSecret('c3', 'secret-A-0123456789', hashA), true);
    assert.equal(await checkClientSecret('c3', 'secret-A-012345678', hashA), false);
    assert.equal(await checkClientSecret('c3', 'secret-B-0123456789', hashA), false);
    assert.equal(await checkClientSecret('c3', '', hashA), false);
    assert.equal(await checkClientSecret('c3', 'secret-A-0123456789', hashA), true);
  });

  test('a failed check does not evict the cached secret', async () => {
    assert.equal(await checkClientSecret('c4', 'secret-A-0123456789', hashA), true);
    assert.equal(await checkClientSecret('c4', 'wrong', hashA), false);
    assert.equal(await checkClientSecret('c4', 'secret-A-0123456789', hashA), true);
  });

  test('a changed stored hash (rotated secret) forces a new check: the old secret is refused', async () => {
    assert.equal(await checkClientSecret('c5', 'secret-A-0123456789', hashA), true);
    assert.equal(await checkClientSecret('c5', 'secret-A-0123456789', hashB), false);
    assert.equal(await checkClientSecret('c5', 'secret-B-0123456789', hashB), true);
  });

  test('a cached secret does not pass against a stored hash that is not a hash', async () => {
    assert.equal(await checkClientSecret('c6', 'secret-A-0123456789', hashA), true);
    assert.equal(await checkClientSecret('c6', 'secret-A-0123456789', 'not-a-phc-string'), false);
  });

  test('the cache is per client: another client with the same hash is checked on its own', async () => {
    assert.equal(await checkClientSecret('c7', 'secret-A-0123456789', hashA), true);
    assert.equal(await checkClientSecret('c8', 'secret-B-0123456789', hashA), false);
    assert.equal(await checkClientSecret('c8', 'secret-A-0123456789', hashA), true);
  });
});
