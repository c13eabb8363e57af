import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { runtimeConfig } from '../config.ts';
import type { SigningAlg } from '../tenant/model.ts';
import { publicJwkOf, type KeyStatus, type KeysetDocument } from './keyset-document.ts';
import { readKeyset } from './keyset-source.ts';

/**
 * The keyset as a function uses it: every key imported once into a KeyObject (never parse a
 * PEM or JWK per token — the cost AuthHero pays, peers.md), cached for `keysetCacheMs` so
 * a rotation reaches warm functions within that window.
 */
export interface LoadedKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly status: KeyStatus;
  readonly key: KeyObject;
  readonly publicJwk: JWK;
}

export interface LoadedKeyset {
  readonly keys: readonly LoadedKey[];
  /** The signing key for each algorithm: the one whose status is `current`. */
  readonly signing: ReadonlyMap<SigningAlg, LoadedKey>;
}

let cache: { keyset: LoadedKeyset; expiresAt: number } | undefined;
let inFlight: Promise<LoadedKeyset> | undefined;
const imported = new Map<string, KeyObject>();

export async function keyset(now = Date.now()): Promise<LoadedKeyset> {
  if (cache && cache.expiresAt > now) return cache.keyset;
  inFlight ??= readKeyset(runtimeConfig().keyset)
    .then((doc) => {
      const keyset = loadKeyset(doc);
      cache = { keyset, expiresAt: Date.now() + runtimeConfig().keysetCacheMs };
      return keyset;
    })
    .finally(() => {
      inFlight = undefined;
    });
  return inFlight;
}

export function invalidateKeyset(): void {
  cache = undefined;
}

export function loadKeyset(doc: KeysetDocument): LoadedKeyset {
  const keys = doc.keys.map((stored) => {
    let key = imported.get(stored.kid);
    if (!key) {
      key = createPrivateKey({ key: stored.privateJwk as never, format: 'jwk' });
      imported.set(stored.kid, key);
    }
    const publicJwk = { ...publicJwkOf(stored.privateJwk), kid: stored.kid, alg: stored.alg, use: 'sig' };
    return { kid: stored.kid, alg: stored.alg, status: stored.status, key, publicJwk };
  });
  const signing = new Map<SigningAlg, LoadedKey>();
  for (const k of keys) if (k.status === 'current') signing.set(k.alg, k);
  return { keys, signing };
}
