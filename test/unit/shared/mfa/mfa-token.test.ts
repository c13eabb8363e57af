import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { OAuthError } from '../../../../shared/errors.ts';
import { issueMfaToken, mfaTokenLifetimeSeconds, readMfaToken } from '../../../../shared/mfa/mfa-token.ts';
import { initialKeyset, rotateKeyset } from '../../../../shared/tokens/keyset-document.ts';
import { loadKeyset, type LoadedKeyset } from '../../../../shared/tokens/keyset.ts';
import { encryptOpaqueToken } from '../../../../shared/tokens/opaque-access-token.ts';

const issuer = 'https://auth.example.test/';
const claims = {
  iss: issuer,
  sub: 'auth0|0123456789abcdef01234567',
  client_id: 'native-app',
  connection: 'Username-Password-Authentication',
  scope: ['openid', 'profile', 'offline_access'],
  audience: 'https://api.example.test/',
  gty: 'password',
  auth_time: 1_767_268_800,
};
const now = 1_767_268_800_000;
const expect = { issuer, clientId: 'native-app' };

const rejectsWith = (promise: Promise<unknown>, error: string, description: string) =>
  assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof OAuthError, String(e));
    assert.equal(e.statusCode, 403);
    assert.equal(e.error, error);
    assert.equal(e.description, description);
    return true;
  });

describe('mfa_token (JWE dir + A256GCM from the keyset)', () => {
  let loaded: LoadedKeyset;
  before(async () => {
    loaded = loadKeyset(await initialKeyset());
  });

  test('round trip: claims back, with iat, exp 10 minutes later and a jti', async () => {
    const token = await issueMfaToken(claims, now, loaded);
    const read = await readMfaToken(token, expect, now + 1000, loaded);
    assert.deepEqual({ ...read, jti: undefined }, { ...claims, iat: now / 1000, exp: now / 1000 + 600, jti: undefined });
    assert.equal(mfaTokenLifetimeSeconds, 600);
    assert.match(read.jti, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual((await readMfaToken(await issueMfaToken(claims, now, loaded), expect, now, loaded)).jti, read.jti);
  });

  test('opaque: the header names only the key and its own content type; nothing readable in it', async () => {
    const token = await issueMfaToken(claims, now, loaded);
    const header = decodeProtectedHeader(token);
    assert.deepEqual({ alg: header.alg, enc: header.enc, cty: header.cty }, { alg: 'dir', enc: 'A256GCM', cty: 'portcullis-mfa' });
    for (const part of token.split('.')) assert.equal(Buffer.from(part, 'base64url').toString('latin1').includes(claims.sub), false);
  });

  test('expired: "mfa_token is expired" from the 600th second on', async () => {
    const token = await issueMfaToken(claims, now, loaded);
    await readMfaToken(token, expect, now + 599_000, loaded);
    await rejectsWith(readMfaToken(token, expect, now + 600_000, loaded), 'expired_token', 'mfa_token is expired');
  });

  test('another client’s or another issuer’s token is malformed to this one (even when expired)', async () => {
    const token = await issueMfaToken(claims, now, loaded);
    await rejectsWith(readMfaToken(token, { issuer, clientId: 'other-app' }, now, loaded), 'invalid_grant', 'Malformed mfa_token');
    await rejectsWith(readMfaToken(token, { issuer: 'https://other.example.test/', clientId: 'native-app' }, now, loaded), 'invalid_grant', 'Malformed mfa_token');
    await rejectsWith(readMfaToken(token, { issuer, clientId: 'other-app' }, now + 3_600_000, loaded), 'invalid_grant', 'Malformed mfa_token');
  });

  test('every bit flipped is refused as malformed', async () => {
    const token = await issueMfaToken(claims, now, loaded);
    const parts = token.split('.');
    for (const index of [0, 2, 3, 4]) {
      const bytes = Buffer.from(parts[index]!, 'base64url');
      for (const position of [0, bytes.length - 1]) {
        const copy = Buffer.from(bytes);
        copy[position]! ^= 0x01;
        const tampered = parts.map((p, i) => (i === index ? copy.toString('base64url') : p)).join('.');
        await rejectsWith(readMfaToken(tampered, expect, now, loaded), 'invalid_grant', 'Malformed mfa_token');
      }
    }
  });

  test('garbage, missing, and other kinds of our own tokens are malformed', async () => {
    const opaque = await encryptOpaqueToken({ iss: issuer, sub: claims.sub, client_id: 'native-app', scope: 'openid', iat: now / 1000, exp: now / 1000 + 600 }, loaded);
    for (const junk of [undefined, '', 'x', 'a.b.c.d.e', '....', `${'x'.repeat(5000)}.a.b.c.d`, opaque]) {
      await rejectsWith(readMfaToken(junk, expect, now, loaded), 'invalid_grant', 'Malformed mfa_token');
    }
  });

  test('a token from another keyset is malformed; after rotation the previous key still reads it', async () => {
    const token = await issueMfaToken(claims, now, loaded);
    const other = loadKeyset(await initialKeyset());
    await rejectsWith(readMfaToken(token, expect, now, other), 'invalid_grant', 'Malformed mfa_token');
    const doc = await initialKeyset();
    const before = loadKeyset(doc);
    const older = await issueMfaToken(claims, now, before);
    const rotated = loadKeyset(await rotateKeyset(doc));
    assert.equal((await readMfaToken(older, expect, now, rotated)).sub, claims.sub);
  });
});
