import { createRequire, syncBuiltinESMExports } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { freePort } from '../infra/local/free-port.ts';
import { audience, benchTenant, benchUser, form, passwordRealmGrant, webApp } from './servers.ts';

/**
 * Where the wall-clock time of one request goes, request by request (sequential): the
 * password-realm or refresh grant on the local server, run IN THIS PROCESS (infra/local/main.ts
 * imported, its own DynamoDB Local), with three probes and no change to the product code:
 *  - argon2: `crypto.argon2` wrapped (the builtin's ESM exports re-synced before anything imports it);
 *  - RSA signing: `crypto.sign` wrapped (access and ID tokens);
 *  - DynamoDB: a middleware on the shared document client (shared/store/ddb.ts) timing each
 *    command from the SDK's first step to its answer (marshalling, signing, HTTP to DynamoDB Local).
 * Per request, each probe's busy time is the union of its intervals (concurrent calls count
 * once); "the rest" is the request's time outside all of them: HTTP, the local API Gateway,
 * middy, parsing, client authentication, JavaScript between awaits. A CPU profile
 * (`npm run bench -- --profile DIR`) says what the JavaScript does; this says what waits.
 *
 * With `--connections N` (N > 1), N request loops run at once (the non-rotating refresh then
 * shares one token, as the throughput benchmark does) and only DynamoDB commands per request
 * are counted, failed ones (TransactionConflict…) by error name.
 *
 *   node --import tsx bench/breakdown.ts [--grant password-realm|refresh-non-rotating|refresh-rotating]
 *                                        [--requests 200] [--warmup 100] [--warm-db 8] [--connections 1] [--json]
 */
const { values } = parseArgs({
  options: {
    grant: { type: 'string', default: 'password-realm' },
    requests: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '100' },
    /** Seconds of refresh load first (as bench/warm-server.ts), before the warm-up requests. */
    'warm-db': { type: 'string', default: '8' },
    /** Above 1: that many request loops at once; then only the commands per request are counted. */
    connections: { type: 'string', default: '1' },
    /** One JSON line instead of the text (sequential mode). */
    json: { type: 'boolean', default: false },
  },
});
const grants = ['password-realm', 'refresh-non-rotating', 'refresh-rotating'];
if (!grants.includes(values.grant)) throw new Error(`--grant takes ${grants.join(', ')}`);
const requests = Number(values.requests);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const warmSeconds = Number(values['warm-db']);
if (![requests, warmup, connections, warmSeconds].every((n) => Number.isInteger(n) && n >= 0) || requests < 1 || connections < 1) throw new Error('--requests, --warmup, --connections: whole numbers');

type Probe = 'argon2' | 'sign' | `ddb ${string}`;
const intervals: { probe: Probe; start: number; end: number }[] = [];
const timed = (probe: Probe, start: number) => intervals.push({ probe, start, end: performance.now() });

// --- probes on node:crypto, before any module binds its exports ---
const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
const originalArgon2 = crypto.argon2;
const originalSign = crypto.sign;
(crypto as { argon2: unknown }).argon2 = (algorithm: string, parameters: unknown, callback: (err: Error | null, key: Buffer) => void) => {
  const start = performance.now();
  return (originalArgon2 as (...a: unknown[]) => void)(algorithm, parameters, (err: Error | null, key: Buffer) => {
    timed('argon2', start);
    callback(err, key);
  });
};
(crypto as { sign: unknown }).sign = (...args: unknown[]) => {
  const callback = args[3] as ((err: Error | null, sig: Buffer) => void) | undefined;
  if (typeof callback !== 'function') return (originalSign as (...a: unknown[]) => Buffer)(...args);
  const start = performance.now();
  return (originalSign as (...a: unknown[]) => void)(args[0], args[1], args[2], (err: Error | null, sig: Buffer) => {
    timed('sign', start);
    callback(err, sig);
  });
};
syncBuiltinESMExports();

// --- the local server in this process ---
const port = await freePort();
const dataDir = await mkdtemp(join(tmpdir(), 'portcullis-breakdown-'));
const tenantFile = join(dataDir, 'bench-tenant.yaml');
await writeFile(tenantFile, stringify(benchTenant()));
delete process.env.DYNAMODB_ENDPOINT;
process.argv = [process.argv[0]!, 'infra/local/main.ts', '--port', String(port), '--in-memory', '--data-dir', dataDir, '--tenant', tenantFile];
const stdoutWrite = process.stdout.write.bind(process.stdout);
process.stdout.write = (() => true) as typeof process.stdout.write; // the banner
await import('../infra/local/main.ts');
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  const ok = await fetch(`${base}/.well-known/openid-configuration`).then((r) => r.ok, () => false);
  if (ok) break;
  if (i > 600) throw new Error('the local server did not start');
  await new Promise((r) => setTimeout(r, 100));
}
process.stdout.write = stdoutWrite;

const { ddb } = await import('../shared/store/ddb.ts');
ddb().middlewareStack.add(
  (next, context) => async (args) => {
    const start = performance.now();
    try {
      const out = await next(args);
      timed(`ddb ${context.commandName ?? 'command'}`, start);
      return out;
    } catch (error) {
      timed(`ddb ${context.commandName ?? 'command'} failed: ${(error as Error)?.name ?? 'error'}`, start);
      throw error;
    }
  },
  { step: 'initialize', name: 'benchBreakdownTimer' },
);

// --- the requests ---
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function post(body: string): Promise<{ status: number; body: string; start: number; end: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request(`${base}/oauth/token`, { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, start, end: performance.now() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const login = (clientId: string, scope: string) =>
  form({ grant_type: passwordRealmGrant, client_id: clientId, client_secret: webApp.clientSecret, realm: benchUser.connection, username: benchUser.email, password: benchUser.password, scope, audience });
const refreshBody = (clientId: string, token: string) => `${form({ grant_type: 'refresh_token', client_id: clientId, client_secret: webApp.clientSecret })}&refresh_token=${encodeURIComponent(token)}`;

/**
 * As bench/warm-server.ts does for the benchmark: `seconds` of non-rotating refresh exchanges,
 * 16 at a time, so DynamoDB Local's JVM (and this process) are past their JIT warm-up.
 */
async function warmDatabase(seconds: number): Promise<void> {
  if (seconds <= 0) return;
  const first = await post(login(webApp.clientId, 'openid offline_access read:messages'));
  const body = refreshBody(webApp.clientId, (JSON.parse(first.body) as { refresh_token: string }).refresh_token);
  const warmAgent = new Agent({ keepAlive: true, maxSockets: 16 });
  const until = performance.now() + seconds * 1000;
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${base}/oauth/token`, { method: 'POST', agent: warmAgent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < until) {
        const status = await once();
        if (status !== 200) throw new Error(`warming DynamoDB Local: a refresh answered ${status}`);
      }
    }),
  );
  warmAgent.destroy();
}
await warmDatabase(warmSeconds);
intervals.length = 0;

let nextBody: () => Promise<string>;
let afterAnswer: (answer: string) => void = () => {};
if (values.grant === 'password-realm') {
  const body = login(webApp.clientId, 'openid profile email');
  nextBody = async () => body;
} else {
  const clientId = values.grant === 'refresh-rotating' ? webApp.rotatingClientId : webApp.clientId;
  const first = await post(login(clientId, 'openid offline_access read:messages'));
  let token = (JSON.parse(first.body) as { refresh_token: string }).refresh_token;
  nextBody = async () => refreshBody(clientId, token);
  afterAnswer = (answer) => {
    token = (JSON.parse(answer) as { refresh_token?: string }).refresh_token ?? token;
  };
}

if (connections > 1) {
  // Refresh rotation needs one family per loop; the other grants share their body.
  const loops = await Promise.all(
    Array.from({ length: connections }, async () => {
      if (values.grant !== 'refresh-rotating') return { next: nextBody, after: afterAnswer };
      const first = await post(login(webApp.rotatingClientId, 'openid offline_access read:messages'));
      let token = (JSON.parse(first.body) as { refresh_token: string }).refresh_token;
      return { next: async () => refreshBody(webApp.rotatingClientId, token), after: (a: string) => void (token = (JSON.parse(a) as { refresh_token: string }).refresh_token) };
    }),
  );
  const concurrentAgent = new Agent({ keepAlive: true, maxSockets: connections });
  const send = (body: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${base}/oauth/token`, { method: 'POST', agent: concurrentAgent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const statuses: Record<number, number> = {};
  const run = async (count: number) => {
    let left = count;
    await Promise.all(
      loops.map(async (loop) => {
        while (left-- > 0) {
          const answer = await send(await loop.next());
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          if (answer.status === 200) loop.after(answer.body);
        }
      }),
    );
  };
  await run(warmup);
  intervals.length = 0;
  const started = performance.now();
  await run(requests);
  const seconds = (performance.now() - started) / 1000;
  const counts = new Map<string, number>();
  for (const x of intervals) counts.set(x.probe, (counts.get(x.probe) ?? 0) + 1);
  const out = [`${values.grant}: ${requests} requests on ${connections} connections after ${warmup} warm-up ones, ${(requests / seconds).toFixed(0)} req/s in this process; statuses ${JSON.stringify(statuses)}; per request:`];
  for (const [probe, n] of [...counts].sort()) out.push(`  ${probe.padEnd(60)} ${(n / requests).toFixed(2).padStart(6)}`);
  process.stdout.write(`${out.join('\n')}\n`);
  concurrentAgent.destroy();
  await rm(dataDir, { recursive: true, force: true });
  process.kill(process.pid, 'SIGTERM');
  await new Promise(() => {}); // main.ts exits the process
}

const rows: Record<string, number>[] = [];
/** The timeline of the median request (by total), printed at the end. */
const timelines: { total: number; lines: string[]; probes: { probe: string; start: number; ms: number }[] }[] = [];
for (let i = 0; i < warmup + requests; i++) {
  intervals.length = 0;
  const answer = await post(await nextBody());
  if (answer.status !== 200) throw new Error(`request ${i} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  afterAnswer(answer.body);
  if (i < warmup) continue;
  const inside = intervals.filter((x) => x.start >= answer.start && x.end <= answer.end);
  const row: Record<string, number> = { total: answer.end - answer.start };
  const probes = [...new Set(inside.map((x) => x.probe))];
  for (const probe of probes) row[probe] = union(inside.filter((x) => x.probe === probe));
  row['ddb (all commands)'] = union(inside.filter((x) => x.probe.startsWith('ddb ')));
  row['ddb commands (count)'] = inside.filter((x) => x.probe.startsWith('ddb ')).length;
  row['the rest'] = row.total! - union(inside);
  rows.push(row);
  const ordered = inside.sort((a, b) => a.start - b.start);
  timelines.push({
    total: row.total!,
    lines: ordered.map((x) => `  +${(x.start - answer.start).toFixed(2).padStart(6)} ms  ${x.probe.padEnd(30)} ${(x.end - x.start).toFixed(2).padStart(6)} ms`),
    probes: ordered.map((x) => ({ probe: x.probe, start: Math.round((x.start - answer.start) * 100) / 100, ms: Math.round((x.end - x.start) * 100) / 100 })),
  });
}

/** Length of the union of intervals. */
function union(xs: readonly { start: number; end: number }[]): number {
  const sorted = [...xs].sort((a, b) => a.start - b.start);
  let total = 0;
  let end = -Infinity;
  for (const x of sorted) {
    if (x.end <= end) continue;
    total += x.end - Math.max(x.start, end);
    end = x.end;
  }
  return total;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
};
const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
const lines = [`${values.grant}: ${requests} sequential requests after ${warmup} warm-up ones; median per request (ms; a probe's time is the union of its intervals):`];
for (const k of keys.sort((a, b) => (a === 'total' ? -1 : b === 'total' ? 1 : a.localeCompare(b)))) {
  lines.push(`  ${k.padEnd(34)} ${median(rows.map((r) => r[k] ?? 0)).toFixed(k.includes('count') ? 0 : 2).padStart(8)}`);
}
const typical = [...timelines].sort((a, b) => a.total - b.total)[Math.floor((timelines.length - 1) / 2)];
if (typical) lines.push(`the median request (${typical.total.toFixed(2)} ms), probe by probe (start, duration):`, ...typical.lines);
if (values.json) {
  // For bench/run.ts: one line it can parse (the text above is for people).
  const medians = Object.fromEntries(keys.map((k) => [k, Math.round(median(rows.map((r) => r[k] ?? 0)) * 100) / 100]));
  const timeline = typical?.lines.map((l) => l.trim()) ?? [];
  process.stdout.write(`${JSON.stringify({ grant: values.grant, requests, warmDbSeconds: warmSeconds, medians, timeline, probes: typical?.probes ?? [], medianRequestMs: typical?.total })}\n`);
} else {
  process.stdout.write(`${lines.join('\n')}\n`);
}
agent.destroy();
await rm(dataDir, { recursive: true, force: true });
process.kill(process.pid, 'SIGTERM'); // main.ts stops the server and its DynamoDB Local
