/**
 * The load generator for `npm run bench`, in its own process so it never shares an event
 * loop with a server under test: autocannon's programmatic API, bounded by `seconds`.
 * bench/run.ts runs it once for the warm-up (numbers thrown away), then for the measurement.
 *
 * Usage: node bench/load.mjs '<json spec>'
 *   {url, connections, seconds} and one of
 *   - body: the one form body every request sends (client_credentials, password-realm,
 *     a non-rotating refresh token);
 *   - bodiesFile: a JSON array of bodies, each sent exactly once (single-use authorization
 *     codes); the run stops after `length - 2 × connections` requests (autocannon builds each
 *     connection's first request up front) or after `seconds`, whichever comes first;
 *   - rotate: {tokensFile, bodyPrefix}: refresh-token rotation, closed loop. The file holds
 *     one token per connection; each request sends `bodyPrefix` + a token taken from a shared
 *     queue, and each answer's `refresh_token` goes back into it. Every token is thus used
 *     once, after the answer that issued it, and at most `connections` are in flight.
 * Prints one JSON line with the run's summary, including the first non-2xx answer (status
 * and the start of its body) so a failing grant can be reported as it was.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const spec = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(spec.url);
if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
  process.stderr.write(`load: refusing a non-loopback target ${url.hostname}\n`);
  process.exit(2);
}

let firstFailure;
let lastAnswerAt = 0;
const noteFailure = (status, body) => {
  lastAnswerAt = performance.now();
  if (status >= 200 && status < 300) return false;
  firstFailure ??= { status, body: String(body ?? '').slice(0, 500) };
  return true;
};

/** The request(s) autocannon cycles through, and a cap on their number when a pool runs out. */
function requestPlan() {
  if (spec.body !== undefined) return { requests: [{ body: spec.body, onResponse: noteFailure }] };
  if (spec.bodiesFile !== undefined) {
    const bodies = JSON.parse(readFileSync(spec.bodiesFile, 'utf8'));
    let next = 0;
    const max = bodies.length - 2 * spec.connections;
    if (max < spec.connections) throw new Error(`load: ${bodies.length} bodies are too few for ${spec.connections} connections`);
    return {
      // Past the end (never within maxOverallRequests), an empty body: a 4xx, so it would show.
      requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++] ?? '' }), onResponse: noteFailure }],
      maxOverallRequests: max,
    };
  }
  if (spec.rotate !== undefined) {
    const ready = JSON.parse(readFileSync(spec.rotate.tokensFile, 'utf8'));
    if (ready.length < spec.connections) throw new Error(`load: ${ready.length} refresh tokens for ${spec.connections} connections`);
    return {
      requests: [
        {
          // An empty queue only follows a failed answer (no successor token): an empty token, a 4xx.
          setupRequest: (req) => ({ ...req, body: spec.rotate.bodyPrefix + encodeURIComponent(ready.shift() ?? '') }),
          onResponse: (status, body) => {
            if (noteFailure(status, body)) return;
            const token = JSON.parse(body).refresh_token;
            if (typeof token === 'string') ready.push(token);
            else noteFailure(599, `200 without a refresh_token: ${body}`);
          },
        },
      ],
    };
  }
  throw new Error('load: the spec needs body, bodiesFile or rotate');
}

const plan = requestPlan();
const run = (duration) =>
  autocannon({
    url: spec.url,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    connections: spec.connections,
    pipelining: 1,
    duration,
    timeout: 10,
    ...plan,
  });

const cpuBefore = process.cpuUsage();
const started = performance.now();
const r = await run(spec.seconds);
const cpu = process.cpuUsage(cpuBefore);
// The generator's own CPU (all its threads), in % of one core, for the CPU breakdown.
const cpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - started)) * 1000) / 10;
// A pool that ran out ends the run before `seconds`, but autocannon only notices at its next
// one-second tick: the run then lasted until its last answer.
const duration = spec.bodiesFile !== undefined && lastAnswerAt > 0 ? (lastAnswerAt - started) / 1000 : r.duration;
const summary = {
  // Responses over the run's own duration: autocannon's per-second average counts a partial
  // last second as a whole sample, which can understate a 10 s run by up to ~9%.
  requestsPerSecond: r.requests.total / duration,
  total: r.requests.total,
  duration,
  latency: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, average: r.latency.average, max: r.latency.max },
  // A rotation answer without a successor token counts as a failure too.
  non2xx: r.non2xx + (firstFailure?.status === 599 ? 1 : 0),
  errors: r.errors,
  timeouts: r.timeouts,
  cpuPercent,
  statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
  ...(firstFailure ? { firstFailure } : {}),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
