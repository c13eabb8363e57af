/**
 * Sequential latency for `npm run bench`: one keep-alive connection, one request at a time,
 * each timed to the microsecond (autocannon's histogram keeps whole milliseconds, too coarse
 * to compare a grant with the one password hash inside it). In its own process, as
 * bench/load.mjs. `warmup` requests first (not counted, failures still are), then `requests`.
 *
 * Usage: node bench/load-sequential.mjs '<json: {url, body, requests, warmup}>'
 * Prints one JSON line: the latencies' percentiles in ms (fractional), the statuses, the
 * first non-2xx answer, the generator's CPU.
 */
import { Agent, request } from 'node:http';

const spec = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(spec.url);
if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
  process.stderr.write(`load-sequential: refusing a non-loopback target ${url.hostname}\n`);
  process.exit(2);
}
if (!Number.isInteger(spec.requests) || spec.requests < 1 || !Number.isInteger(spec.warmup) || spec.warmup < 0) {
  process.stderr.write('load-sequential: requests must be a positive integer, warmup a non-negative one\n');
  process.exit(2);
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const body = Buffer.from(spec.body);

/** One POST; resolves with its status, body and duration in ms (request written → body read). */
function post() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout after 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

const statusCodes = {};
let errors = 0;
let firstFailure;
const latencies = [];

async function one(record) {
  try {
    const answer = await post();
    statusCodes[answer.status] = (statusCodes[answer.status] ?? 0) + 1;
    if (answer.status < 200 || answer.status >= 300) firstFailure ??= { status: answer.status, body: answer.body.slice(0, 500) };
    else if (record) latencies.push(answer.ms);
  } catch (error) {
    errors++;
    firstFailure ??= { status: 0, body: String(error?.message ?? error) };
  }
}

for (let i = 0; i < spec.warmup; i++) await one(false);
const warmupFailures = Object.entries(statusCodes).filter(([s]) => !s.startsWith('2')).reduce((a, [, n]) => a + n, 0) + errors;

const cpuBefore = process.cpuUsage();
const started = performance.now();
for (let i = 0; i < spec.requests; i++) await one(true);
const elapsed = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
agent.destroy();

const sorted = [...latencies].sort((a, b) => a - b);
/** Nearest-rank percentile. */
const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const round = (x) => Math.round(x * 100) / 100;
const ok = latencies.length;
const summary = {
  requestsPerSecond: (spec.requests / elapsed) * 1000,
  total: spec.requests,
  duration: elapsed / 1000,
  latency: { p50: round(pct(50)), p90: round(pct(90)), p99: round(pct(99)), average: round(ok ? latencies.reduce((a, b) => a + b, 0) / ok : NaN), max: round(sorted.at(-1) ?? NaN), min: round(sorted[0] ?? NaN) },
  non2xx: spec.requests - ok - errors + 0,
  errors,
  timeouts: 0,
  warmupFailures,
  cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / elapsed) * 1000) / 10,
  statusCodes,
  ...(firstFailure ? { firstFailure } : {}),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
