import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hashPassword, verifyPassword } from '../shared/crypto/password.ts';
import { defaults } from '../shared/crypto/secret-hash.ts';

/**
 * The cost a password login pays for the hash alone: `verifyPassword` (shared/crypto/password.ts)
 * of the right password against an argon2id hash made by `hashPassword` with today's
 * parameters (shared/crypto/secret-hash.ts), `runs` times one after the other, in a process of
 * its own (run by bench/run.ts beside the password-realm measurements). Like the server's,
 * each derivation runs on libuv's thread pool; nothing else runs here.
 *
 * Usage: node --import tsx bench/hash-cost.ts <runs> — prints one JSON line: times in ms, and
 * the CPU the rest of the machine used meanwhile (% of one core), so a noisy one can be redone.
 */
const runs = Number(process.argv[2] ?? '40');
if (!Number.isInteger(runs) || runs < 1 || runs > 10_000) throw new Error('runs must be 1..10000');

const password = `Bench-${randomBytes(12).toString('base64url')}`;
const stored = await hashPassword(password);
// Two untimed verifications first: the thread pool started, the code paths compiled.
for (let i = 0; i < 2; i++) await verifyPassword(password, stored);

/** Busy jiffies of the whole machine (user … softirq, as bench/cpu.ts counts them). */
const machineBusyTicks = () => {
  const t = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return t.slice(0, 7).reduce((a, b) => a + b, 0) - (t[3] ?? 0) - (t[4] ?? 0);
};
const busyBefore = machineBusyTicks();
const cpuBefore = process.cpuUsage();
const started = performance.now();

const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const check = await verifyPassword(password, stored);
  times.push(performance.now() - t0);
  if (!check.ok || check.needsRehash) throw new Error('the bench hash did not verify as a current one');
}
// What the rest of the machine used meanwhile, % of one core: a noisy measurement is repeated.
const seconds = (performance.now() - started) / 1000;
const own = process.cpuUsage(cpuBefore);
const machinePercent = ((machineBusyTicks() - busyBefore) / 100 / seconds) * 100;
const othersPercent = Math.max(0, Math.round((machinePercent - ((own.user + own.system) / 1e6 / seconds) * 100) * 10) / 10);
process.stdout.write(`${JSON.stringify({ params: { ...defaults }, times, othersPercent })}\n`);
