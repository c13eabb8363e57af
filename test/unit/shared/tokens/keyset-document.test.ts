import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { calculateJwkThumbprint } from 'jose';
import { signingAlgs } from '../../../../shared/tenant/model.ts';
import { initialKeyset, parseKeysetDocument, publicJwkOf, rotateKeyset, type KeysetDocument } from '../../../../shared/tokens/keyset-document.ts';

const statusesOf = (doc: KeysetDocument, alg: string) => doc.keys.filter((k) => k.alg === alg).map((k) => k.status).sort();
const kidOf = (doc: KeysetDocument, alg: string, status: string) => doc.keys.find((k) => k.alg === alg && k.status === status)?.kid;
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('keyset document', () => {
  let initial: KeysetDocument;
  before(async () => {
    initial = await initialKeyset(new Date('2026-01-01T00:00:00Z'));
  });

  test('a new keyset holds a current and a next key for each of RS256, ES256 and PS256', () => {
    assert.deepEqual([...signingAlgs].sort(), ['ES256', 'PS256', 'RS256']);
    assert.equal(initial.keys.length, 6);
    for (const alg of signingAlgs) assert.deepEqual(statusesOf(initial, alg), ['current', 'next'], alg);
  });

  test('key types fit their algorithm: EC P-256 for ES256, RSA of 2048 bits for RS256 and PS256', () => {
    for (const key of initial.keys) {
      if (key.alg === 'ES256') {
        assert.equal(key.privateJwk.kty, 'EC');
        assert.equal(key.privateJwk.crv, 'P-256');
      } else {
        assert.equal(key.privateJwk.kty, 'RSA');
        assert.equal(Buffer.from(String(key.privateJwk.n), 'base64url').length * 8, 2048);
      }
    }
  });

  test('every kid is the RFC 7638 thumbprint of its public key, and all kids differ', async () => {
    for (const key of initial.keys) assert.equal(key.kid, await calculateJwkThumbprint(publicJwkOf(key.privateJwk)));
    assert.equal(new Set(initial.keys.map((k) => k.kid)).size, initial.keys.length);
  });

  test('the creation time is recorded', () => {
    for (const key of initial.keys) assert.equal(key.createdAt, '2026-01-01T00:00:00.000Z');
  });

  test('rotation moves next to current and current to previous, and publishes a fresh next', async () => {
    const rotated = await rotateKeyset(initial);
    for (const alg of signingAlgs) {
      assert.deepEqual(statusesOf(rotated, alg), ['current', 'next', 'previous'], alg);
      assert.equal(kidOf(rotated, alg, 'current'), kidOf(initial, alg, 'next'), alg);
      assert.equal(kidOf(rotated, alg, 'previous'), kidOf(initial, alg, 'current'), alg);
      const fresh = kidOf(rotated, alg, 'next');
      assert.ok(fresh && !initial.keys.some((k) => k.kid === fresh), alg);
    }
  });

  test('a second rotation drops the old previous key', async () => {
    const once = await rotateKeyset(initial);
    const twice = await rotateKeyset(once);
    assert.equal(twice.keys.length, 9);
    for (const alg of signingAlgs) {
      const dropped = kidOf(once, alg, 'previous')!;
      assert.equal(twice.keys.some((k) => k.kid === dropped), false, alg);
      assert.equal(kidOf(twice, alg, 'previous'), kidOf(once, alg, 'current'), alg);
      assert.equal(kidOf(twice, alg, 'current'), kidOf(once, alg, 'next'), alg);
    }
  });

  test('rotation keeps the private key material of the keys it moves', async () => {
    const rotated = await rotateKeyset(initial);
    for (const alg of signingAlgs) {
      const moved = rotated.keys.find((k) => k.alg === alg && k.status === 'current')!;
      const original = initial.keys.find((k) => k.kid === moved.kid)!;
      assert.deepEqual(moved.privateJwk, original.privateJwk);
    }
  });

  test('rotating a keyset that lacks a next key still yields a current and a next key', async () => {
    const onlyCurrent: KeysetDocument = { keys: initial.keys.filter((k) => k.status === 'current') };
    const rotated = await rotateKeyset(onlyCurrent);
    for (const alg of signingAlgs) assert.deepEqual(statusesOf(rotated, alg), ['current', 'next', 'previous'], alg);
  });

  test('publicJwkOf strips every private member and keeps the public ones', () => {
    for (const key of initial.keys) {
      const pub = publicJwkOf(key.privateJwk);
      for (const member of privateMembers) assert.equal(member in pub, false, `${key.alg} ${member}`);
      if (key.alg === 'ES256') assert.deepEqual(Object.keys(pub).sort(), ['crv', 'kty', 'x', 'y']);
      else assert.deepEqual(Object.keys(pub).sort(), ['e', 'kty', 'n']);
      assert.ok('d' in key.privateJwk, 'the stored key keeps its private part');
    }
  });

  test('a stored document reads back; anything else is refused', () => {
    assert.deepEqual(parseKeysetDocument(JSON.stringify(initial)), JSON.parse(JSON.stringify(initial)));
    assert.throws(() => parseKeysetDocument('{"nokeys":[]}'), /not a keyset document/);
    assert.throws(() => parseKeysetDocument('null'), /not a keyset document/);
    assert.throws(() => parseKeysetDocument('{'));
  });
});
