import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { before, describe, test } from 'node:test';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { rotateKeyset, type KeysetDocument } from '../../../../shared/tokens/keyset-document.ts';
import { invalidateKeyset, keyset, loadKeyset } from '../../../../shared/tokens/keyset.ts';
import { signJwt } from '../../../../shared/tokens/signer.ts';
import { signingAlgs } from '../../../../shared/tenant/model.ts';
import { useKeysetFile } from '../../../support/keyset-file.ts';

describe('loadKeyset', () => {
  let doc: KeysetDocument;
  before(async () => {
    ({ doc } = await useKeysetFile());
  });

  test('the signing key of each algorithm is its current key', () => {
    const loaded = loadKeyset(doc);
    for (const alg of signingAlgs) {
      const current = doc.keys.find((k) => k.alg === alg && k.status === 'current')!;
      assert.equal(loaded.signing.get(alg)?.kid, current.kid, alg);
    }
  });

  test('published JWKs carry kid, alg and use, and no private member', () => {
    for (const key of loadKeyset(doc).keys) {
      assert.equal(key.publicJwk.kid, key.kid);
      assert.equal(key.publicJwk.alg, key.alg);
      assert.equal(key.publicJwk.use, 'sig');
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(member in key.publicJwk, false, member);
    }
  });

  test('every key, next and previous included, is loaded', () => {
    assert.equal(loadKeyset(doc).keys.length, doc.keys.length);
  });
});

describe('signJwt', () => {
  let doc: KeysetDocument;
  let path: string;
  before(async () => {
    ({ doc, path } = await useKeysetFile());
  });

  for (const alg of signingAlgs) {
    test(`${alg}: the token verifies with jose against the current public key`, async () => {
      const token = await signJwt({ sub: 'x', iat: 1 }, alg);
      const current = doc.keys.find((k) => k.alg === alg && k.status === 'current')!;
      const jwk = loadKeyset(doc).keys.find((k) => k.kid === current.kid)!.publicJwk;
      const { payload, protectedHeader } = await jwtVerify(token, await importJWK(jwk, alg), { algorithms: [alg] });
      assert.deepEqual(protectedHeader, { alg, typ: 'JWT', kid: current.kid });
      assert.deepEqual(payload, { sub: 'x', iat: 1 });
    });

    test(`${alg}: the token does not verify with the next key`, async () => {
      const token = await signJwt({ sub: 'x' }, alg);
      const next = loadKeyset(doc).keys.find((k) => k.alg === alg && k.status === 'next')!;
      await assert.rejects(jwtVerify(token, await importJWK(next.publicJwk, alg), { algorithms: [alg] }), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    });
  }

  test('the typ header is the one asked for (at+jwt for RFC 9068)', async () => {
    assert.equal(decodeProtectedHeader(await signJwt({}, 'RS256', 'at+jwt')).typ, 'at+jwt');
  });

  test('an ES256 signature is 64 bytes (IEEE P1363, as JWS requires, not DER)', async () => {
    const token = await signJwt({}, 'ES256');
    assert.equal(Buffer.from(token.split('.')[2]!, 'base64url').length, 64);
  });

  test('after a rotation and a cache refresh, tokens are signed by the former next key', async () => {
    const rotated = await rotateKeyset(doc);
    await writeFile(path, JSON.stringify(rotated));
    invalidateKeyset();
    for (const alg of signingAlgs) {
      const formerNext = doc.keys.find((k) => k.alg === alg && k.status === 'next')!.kid;
      assert.equal(decodeProtectedHeader(await signJwt({}, alg)).kid, formerNext, alg);
    }
    assert.equal((await keyset()).keys.length, 9);
  });
});
