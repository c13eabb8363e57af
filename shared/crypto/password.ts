import { randomUUID, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { defaults, hashSecret, verifySecret } from './secret-hash.ts';

/**
 * User passwords. New hashes are argon2id (shared/crypto/secret-hash.ts, OWASP parameters);
 * bcrypt hashes imported from Auth0 (`$2a$`, `$2b$`, `$2y$`, which is what its user export
 * carries) verify too and ask to be rehashed, as do argon2id hashes with weaker parameters
 * than today's, so every successful login moves a user to the current defaults.
 */
export interface PasswordCheck {
  readonly ok: boolean;
  /** True when the stored hash should be replaced by a fresh argon2id one (bcrypt, old parameters). */
  readonly needsRehash: boolean;
}

export async function hashPassword(password: string): Promise<string> {
  return hashSecret(password);
}

const argon2Params = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$([A-Za-z0-9+/]+)$/;

/**
 * bcrypt in modular crypt form: version, two-digit cost, 22 characters of salt and 31 of hash
 * in bcrypt's own base64 alphabet. Costs above 16 are refused as malformed: one check would
 * take minutes of CPU (Auth0 uses 10), and a stored hash must never become a way to stall us.
 */
const bcryptForm = /^\$2[aby]\$(0[4-9]|1[0-6])\$[./A-Za-z0-9]{53}$/;

/**
 * The most an argon2id hash may ask of one check, for the same reason as bcrypt's cost cap:
 * 256 MiB, 16 passes, 8 lanes (OWASP's strongest argon2id setting is 46 MiB, 1 pass).
 */
const argon2Limits = { memoryKiB: 262_144, passes: 16, parallelism: 8 };

function withinArgon2Limits(hash: string): boolean {
  const match = argon2Params.exec(hash);
  if (!match) return false;
  const [, m, t, p] = match as unknown as [string, string, string, string];
  return Number(m) <= argon2Limits.memoryKiB && Number(t) <= argon2Limits.passes && Number(p) <= argon2Limits.parallelism;
}

/** Whether verifyPassword can check this stored hash at all (the tenant file's `password_hash`). */
export function isSupportedPasswordHash(hash: string): boolean {
  return withinArgon2Limits(hash) || bcryptForm.test(hash);
}

/** Constant-time verification; false (never a throw) for a malformed stored hash. */
export async function verifyPassword(password: string, storedHash: string): Promise<PasswordCheck> {
  if (typeof storedHash !== 'string') return { ok: false, needsRehash: false };
  const argon2 = argon2Params.exec(storedHash);
  if (argon2) {
    if (!withinArgon2Limits(storedHash)) return { ok: false, needsRehash: false };
    const ok = await verifySecret(password, storedHash);
    const [, m, t, p, hash] = argon2 as unknown as [string, string, string, string, string];
    const weaker =
      Number(m) < defaults.memoryKiB || Number(t) < defaults.passes || Number(p) < defaults.parallelism || Buffer.from(hash, 'base64').length < defaults.tagLength;
    return { ok, needsRehash: ok && weaker };
  }
  if (bcryptForm.test(storedHash)) {
    const ok = await verifyBcrypt(password, storedHash);
    return { ok, needsRehash: ok };
  }
  return { ok: false, needsRehash: false };
}

/**
 * Recomputes the bcrypt hash with the stored salt and compares the whole strings in constant
 * time (bcryptjs's own compare is not documented as constant-time).
 */
async function verifyBcrypt(password: string, stored: string): Promise<boolean> {
  let computed: string;
  try {
    computed = await bcrypt.hash(password, stored.slice(0, 29));
  } catch {
    return false;
  }
  // `$2y$` is PHP's name for `$2b$`; bcryptjs writes back the version it was given.
  const a = Buffer.from(computed);
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A fixed argon2id hash of a random value, made once per process, for verifyNothing. */
let dummyHash: Promise<string> | undefined;

/**
 * Spends about the time of one verification without a user, so an unknown identifier takes as
 * long as a wrong password (no user enumeration by timing).
 */
export async function verifyNothing(password: string): Promise<void> {
  dummyHash ??= hashSecret(randomUUID());
  await verifySecret(password, await dummyHash);
}
