import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '../shared/crypto/password.ts';
import { defaults } from '../shared/crypto/secret-hash.ts';

/**
 * The cost a password login pays for the hash alone: `verifyPassword` (shared/crypto/password.ts)
 * of the right password against an argon2id hash made by `hashPassword` with today's
 * parameters (shared/crypto/secret-hash.ts), `runs` times one after the other, in a process of
 * its own (run by bench/run.ts beside the password-realm measurements). Like the server's,
 * each derivation runs on libuv's thread pool; nothing else runs here.
 *
 * Usage: node --import tsx bench/hash-cost.ts <runs> — prints one JSON line, times in ms.
 */
const runs = Number(process.argv[2] ?? '40');
if (!Number.isInteger(runs) || runs < 1 || runs > 10_000) throw new Error('runs must be 1..10000');

const password = `Bench-${randomBytes(12).toString('base64url')}`;
const stored = await hashPassword(password);
// Two untimed verifications first: the thread pool started, the code paths compiled.
for (let i = 0; i < 2; i++) await verifyPassword(password, stored);

const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const check = await verifyPassword(password, stored);
  times.push(performance.now() - t0);
  if (!check.ok || check.needsRehash) throw new Error('the bench hash did not verify as a current one');
}
process.stdout.write(`${JSON.stringify({ params: { ...defaults }, times })}\n`);
