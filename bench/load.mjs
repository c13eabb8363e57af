/**
 * The load generator for `npm run bench`, in its own process so it never shares an event
 * loop with a server under test: autocannon's programmatic API, bounded by `seconds`.
 * bench/run.ts runs it once for the warm-up (numbers thrown away), then for the measurement.
 *
 * Usage: node bench/load.mjs '<json: {url, body, connections, seconds}>'
 * Prints one JSON line with the run's summary.
 */
import autocannon from 'autocannon';

const spec = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(spec.url);
if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
  process.stderr.write(`load: refusing a non-loopback target ${url.hostname}\n`);
  process.exit(2);
}

const run = (duration) =>
  autocannon({
    url: spec.url,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: spec.body,
    connections: spec.connections,
    pipelining: 1,
    duration,
    timeout: 10,
  });

const cpuBefore = process.cpuUsage();
const started = performance.now();
const r = await run(spec.seconds);
const cpu = process.cpuUsage(cpuBefore);
// The generator's own CPU (all its threads), in % of one core, for the CPU breakdown.
const cpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - started)) * 1000) / 10;
const summary = {
  // Responses over the run's own duration: autocannon's per-second average counts a partial
  // last second as a whole sample, which can understate a 10 s run by up to ~9%.
  requestsPerSecond: r.requests.total / r.duration,
  total: r.requests.total,
  duration: r.duration,
  latency: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, average: r.latency.average, max: r.latency.max },
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
  cpuPercent,
  statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
