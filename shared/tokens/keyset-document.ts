import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { signingAlgs, type SigningAlg } from '../tenant/model.ts';

/**
 * The keyset as stored (a local file or one Secrets Manager secret): private JWKs with a
 * rotation status. Rotation moves next → current → previous (aws-notes §3.3): a key is in the
 * JWKS as `next` for a whole rotation period before it signs anything, and stays published
 * as `previous` for one more so tokens it signed keep verifying.
 */
export type KeyStatus = 'next' | 'current' | 'previous';

export interface StoredKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly status: KeyStatus;
  readonly createdAt: string;
  readonly privateJwk: JWK;
}

export interface KeysetDocument {
  readonly keys: readonly StoredKey[];
}

const generate = promisify(generateKeyPair);

export async function generateKey(alg: SigningAlg, status: KeyStatus, now = new Date()): Promise<StoredKey> {
  const pair =
    alg === 'ES256'
      ? await generate('ec', { namedCurve: 'P-256' })
      : await generate('rsa', { modulusLength: 2048 });
  const privateJwk = pair.privateKey.export({ format: 'jwk' }) as JWK;
  // RFC 7638 thumbprint: stable, derived from the public key, leaks nothing.
  const kid = await calculateJwkThumbprint(publicJwkOf(privateJwk));
  return { kid, alg, status, createdAt: now.toISOString(), privateJwk };
}

/** A new keyset: a current key and a pre-published next key for every algorithm. */
export async function initialKeyset(now = new Date()): Promise<KeysetDocument> {
  const keys: StoredKey[] = [];
  for (const alg of signingAlgs) {
    keys.push(await generateKey(alg, 'current', now), await generateKey(alg, 'next', now));
  }
  return { keys };
}

/**
 * One rotation step for every algorithm: the previous key is retired, current becomes
 * previous, next becomes current, and a fresh next is published. Idempotent per call.
 */
export async function rotateKeyset(doc: KeysetDocument, now = new Date()): Promise<KeysetDocument> {
  const keys: StoredKey[] = [];
  for (const alg of signingAlgs) {
    const mine = doc.keys.filter((k) => k.alg === alg);
    const current = mine.find((k) => k.status === 'current');
    const next = mine.find((k) => k.status === 'next');
    if (current) keys.push({ ...current, status: 'previous' });
    keys.push(next ? { ...next, status: 'current' } : await generateKey(alg, 'current', now));
    keys.push(await generateKey(alg, 'next', now));
  }
  return { keys };
}

const privateMembers = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

export function publicJwkOf(jwk: JWK): JWK {
  return Object.fromEntries(Object.entries(jwk).filter(([name]) => !privateMembers.has(name))) as JWK;
}

export function parseKeysetDocument(text: string): KeysetDocument {
  const doc = JSON.parse(text) as KeysetDocument;
  if (!doc || !Array.isArray(doc.keys)) throw new Error('keyset: not a keyset document');
  return doc;
}
