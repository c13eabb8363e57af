import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { initialKeyset, rotateKeyset, type KeysetDocument } from '../../../../shared/tokens/keyset-document.ts';
import { loadKeyset, type LoadedKeyset } from '../../../../shared/tokens/keyset.ts';
import { decryptOpaqueToken, encryptOpaqueToken, looksLikeOpaqueToken, type OpaqueTokenClaims } from '../../../../shared/tokens/opaque-access-token.ts';

const claims: OpaqueTokenClaims = {
  iss: 'https://auth.example.test/',
  sub: 'auth0|0123456789abcdef01234567',
  client_id: 'spa-client',
  scope: 'openid profile email',
  iat: 1_767_268_800,
  exp: 1_767_268_800 + 86_400,
};

describe('opaque /userinfo access tokens (JWE dir + A256GCM)', () => {
  let doc: KeysetDocument;
  let loaded: LoadedKeyset;
  before(async () => {
    doc = await initialKeyset();
    loaded = loadKeyset(doc);
  });

  test('round trip: what is encrypted decrypts to the same claims', async () => {
    const token = await encryptOpaqueToken(claims, loaded);
    assert.equal(looksLikeOpaqueToken(token), true);
    assert.deepEqual(await decryptOpaqueToken(token, loaded), claims);
  });

  test('opaque to clients: the header names only the key, the payload is not readable', async () => {
    const token = await encryptOpaqueToken(claims, loaded);
    const header = decodeProtectedHeader(token);
    assert.equal(header.alg, 'dir');
    assert.equal(header.enc, 'A256GCM');
    assert.equal(header.kid, loaded.signing.get('RS256')!.kid);
    for (const part of token.split('.')) {
      const decoded = Buffer.from(part, 'base64url').toString('latin1');
      assert.equal(decoded.includes(claims.sub), false);
      assert.equal(decoded.includes('openid'), false);
    }
  });

  test('every bit flipped anywhere is rejected, never decrypted to something else', async () => {
    const token = await encryptOpaqueToken(claims, loaded);
    const parts = token.split('.');
    for (const index of [0, 2, 3, 4]) {
      const bytes = Buffer.from(parts[index]!, 'base64url');
      for (const position of [0, bytes.length - 1]) {
        const copy = Buffer.from(bytes);
        copy[position] = copy[position]! ^ 0x01;
        const tampered = parts.map((p, i) => (i === index ? copy.toString('base64url') : p)).join('.');
        assert.equal(await decryptOpaqueToken(tampered, loaded), undefined, `part ${index}, byte ${position}`);
      }
    }
  });

  test('garbage is rejected without throwing', async () => {
    for (const junk of ['', 'a.b.c.d.e', 'eyJhbGciOiJkaXIifQ....', '....', 'not-a-token', `${'x'.repeat(50)}.e30.e30.e30.e30`]) {
      assert.equal(await decryptOpaqueToken(junk, loaded), undefined, junk);
    }
  });

  test("another deployment's keyset cannot read it", async () => {
    const token = await encryptOpaqueToken(claims, loaded);
    assert.equal(await decryptOpaqueToken(token, loadKeyset(await initialKeyset())), undefined);
  });

  test('it survives one rotation (its key becomes previous) and dies when the key is retired', async () => {
    const token = await encryptOpaqueToken(claims, loaded);
    const once = await rotateKeyset(doc);
    assert.deepEqual(await decryptOpaqueToken(token, loadKeyset(once)), claims);
    const twice = await rotateKeyset(once);
    assert.equal(await decryptOpaqueToken(token, loadKeyset(twice)), undefined);
  });
});
