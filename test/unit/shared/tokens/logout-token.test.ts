import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { loadKeyset } from '../../../../shared/tokens/keyset.ts';
import { backchannelLogoutEvent, issueLogoutToken, logoutTokenClaims } from '../../../../shared/tokens/logout-token.ts';
import type { KeysetDocument } from '../../../../shared/tokens/keyset-document.ts';
import { useKeysetFile } from '../../../support/keyset-file.ts';

const input = { issuer: 'https://auth.example.test/', clientId: 'app-1', sub: 'auth0|0123456789abcdef01234567', sid: 'sid-abc' };

describe('logoutTokenClaims', () => {
  test('carries iss, sub, aud = client id, sid and the back-channel event, and no nonce', () => {
    const claims = logoutTokenClaims(input, Date.UTC(2026, 0, 1)) as unknown as Record<string, unknown>;
    assert.equal(claims.iss, input.issuer);
    assert.equal(claims.sub, input.sub);
    assert.equal(claims.aud, 'app-1');
    assert.equal(claims.sid, 'sid-abc');
    assert.deepEqual(claims.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
    assert.equal(backchannelLogoutEvent, 'http://schemas.openid.net/event/backchannel-logout');
    assert.equal('nonce' in claims, false);
    assert.deepEqual(Object.keys(claims).sort(), ['aud', 'events', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub']);
  });

  test('iat is now in whole seconds and exp at most two minutes later', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0, 750);
    const claims = logoutTokenClaims(input, now);
    assert.equal(claims.iat, Math.floor(now / 1000));
    assert.ok(claims.exp > claims.iat);
    assert.ok(claims.exp - claims.iat <= 120);
  });

  test('every token has its own jti', () => {
    const jtis = new Set(Array.from({ length: 50 }, () => logoutTokenClaims(input).jti));
    assert.equal(jtis.size, 50);
  });
});

describe('issueLogoutToken', () => {
  let doc: KeysetDocument;
  before(async () => {
    ({ doc } = await useKeysetFile(input.issuer));
  });

  for (const alg of ['RS256', 'ES256', 'PS256'] as const) {
    test(`${alg}: typ logout+jwt, signed by the current key, verifies against the JWKS`, async () => {
      const token = await issueLogoutToken(input, alg);
      const header = decodeProtectedHeader(token);
      assert.equal(header.typ, 'logout+jwt');
      assert.equal(header.alg, alg);
      assert.equal(header.kid, doc.keys.find((k) => k.alg === alg && k.status === 'current')!.kid);
      const jwks = createLocalJWKSet({ keys: loadKeyset(doc).keys.map((k) => k.publicJwk) });
      const { payload } = await jwtVerify(token, jwks, { issuer: input.issuer, audience: 'app-1', typ: 'logout+jwt' });
      assert.equal(payload.sid, 'sid-abc');
      assert.equal(payload.sub, input.sub);
      assert.equal(payload.nonce, undefined);
    });
  }
});
