import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { assertionSubject } from '../../../../shared/client-auth/private-key-jwt.ts';

const part = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const unsigned = (payload: unknown) => `${part({ alg: 'RS256' })}.${part(payload)}.c2ln`;

describe('assertionSubject', () => {
  test('reads sub from a real signed assertion', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('client-1').setIssuer('client-1').sign(privateKey);
    assert.equal(assertionSubject(jwt), 'client-1');
  });

  test('reads sub without verifying the signature (it only finds the client)', () => {
    assert.equal(assertionSubject(unsigned({ sub: 'client-2', iss: 'someone-else' })), 'client-2');
  });

  test('a missing or non-string sub is no subject', () => {
    assert.equal(assertionSubject(unsigned({ iss: 'client-1' })), undefined);
    assert.equal(assertionSubject(unsigned({ sub: 42 })), undefined);
    assert.equal(assertionSubject(unsigned({ sub: ['client-1'] })), undefined);
  });

  test('a payload that is not a JSON object is no subject', () => {
    assert.equal(assertionSubject(unsigned(null)), undefined);
    assert.equal(assertionSubject(`${part({ alg: 'RS256' })}.${part('"client-1"')}.sig`), undefined);
    assert.equal(assertionSubject(`${part({ alg: 'RS256' })}.${part('{not json')}.sig`), undefined);
  });

  test('something that is not a JWS is no subject, and never an error', () => {
    for (const value of ['', 'abc', '...', 'a.%%%.c', '\u0000.\uFFFF.x']) assert.equal(assertionSubject(value), undefined);
  });
});
