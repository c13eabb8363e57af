import assert from 'node:assert/strict';
import { hkdfSync } from 'node:crypto';
import { test } from 'node:test';
import { initialKeyset } from '../../../../shared/tokens/keyset-document.ts';
import { loadKeyset } from '../../../../shared/tokens/keyset.ts';
import { derivedKey } from '../../../../shared/tokens/derived-key.ts';

test('derivedKey: 32 bytes of HKDF-SHA256 over the private key, one key per use and per keyset key', async () => {
  const loaded = loadKeyset(await initialKeyset());
  const rsa = loaded.keys.filter((k) => k.alg === 'RS256');
  const [current, next] = [rsa.find((k) => k.status === 'current')!, rsa.find((k) => k.status === 'next')!];

  const a = derivedKey(current, 'use-a');
  assert.equal(a.length, 32);
  assert.deepEqual(derivedKey(current, 'use-a'), a, 'stable for one key and one use');
  assert.notDeepEqual(derivedKey(current, 'use-b'), a, 'another use gets another key');
  assert.notDeepEqual(derivedKey(next, 'use-a'), a, 'another keyset key gives another key');

  // The derivation the opaque tokens and mfa_tokens have always used: keys made
  // before this helper existed still open what they sealed.
  const d = (current.key.export({ format: 'jwk' }) as { d: string }).d;
  assert.deepEqual(a, Buffer.from(hkdfSync('sha256', Buffer.from(d, 'base64url'), 'portcullis', 'use-a', 32)));
});
