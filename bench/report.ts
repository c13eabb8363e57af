import type { BundleFigures } from './bundles.ts';
import type { CpuShares } from './cpu.ts';
import { codeSection, passwordRealmSection, refreshSection, userGrantsAnalysis, userGrantsMethod, type UserGrantFacts } from './report-user-grants.ts';

/** What bench/load.mjs prints for the measured run. */
export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly total: number;
  readonly duration: number;
  readonly latency: { p50: number; p90: number; p99: number; average: number; max: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** The generator's own CPU during the run, % of one core. */
  readonly cpuPercent: number;
  readonly statusCodes: Record<string, number>;
  /** The first non-2xx answer (or connection error, status 0), as the generator got it. */
  readonly firstFailure?: { readonly status: number; readonly body: string };
  /** Sequential runs (bench/load-sequential.mjs): failures among their own warm-up requests. */
  readonly warmupFailures?: number;
  /** Servers that count their DynamoDB commands (node-oidc-provider on DynamoDB): commands per answered request, by name. */
  readonly ddbCommandsPerRequest?: Record<string, number>;
}

/** One measured run of one system (a fresh server, warm-up, then the measured load). */
export interface Round {
  readonly result: LoadResult;
  /** The warm-up before it: its numbers are discarded, its failures are not. */
  readonly warmup: LoadResult | undefined;
  readonly cpu: CpuShares;
  readonly serverOutput: string;
}

export interface Measured {
  readonly name: string;
  readonly rounds: readonly Round[];
}

export interface RunFacts extends UserGrantFacts {
  readonly date: Date;
  readonly machine: { nproc: string; cpu: string; node: string };
  readonly load: { seconds: number; warmupSeconds: number; connections: number; rounds: number; userGrantSeconds?: number; serverWarmupSeconds?: number };
  /** client_credentials, Portcullis and the peer (empty when that scenario did not run). */
  readonly measured: readonly Measured[];
  readonly bundles: readonly BundleFigures[];
}

/**
 * Static: what the product changes made for this benchmark bought, each measured with this
 * harness (3 rounds) on top of the previous one, so the reader of RESULTS.md sees why the
 * code looks the way it does. Not regenerated.
 */
const history = `## Product changes the client_credentials benchmark led to

Measured on 2026-11-26 with this harness (3 rounds each), each change on top of the one
before. The peer's own figure drifts with the VM (2,452–2,853 req/s), so compare the ratios.
"DynamoDB writes" counts UpdateItem calls per token request.

| State of the code | Portcullis req/s | node-oidc-provider req/s | ratio | Portcullis server CPU per request | DynamoDB writes per request |
|---|---:|---:|---:|---:|---:|
| before (commit ba8f3c5) | 1,271 | 2,611 | 0.49 | 1.330 ms | 0.22 |
| + concurrent lease renewals coalesced (shared/store/rate-limits.ts) | 2,006 | 2,452 | 0.82 | 0.740 ms | 0.019 |
| + HMAC key of the verified-secret cache as a KeyObject (shared/client-auth/client-secret.ts) | 2,479 | 2,853 | 0.87 | 0.619 ms | 0.019 |
| + bare KeyObject passed to crypto.sign for RS256 (shared/tokens/signer.ts) | 2,710 | 2,827 | 0.96 | 0.565 ms | 0.019 |
| + leases sized by the pace they are spent at (shared/store/rate-limits.ts) | 3,082 | 2,554 | 1.21 | 0.498 ms | 0.001 |

Every request still draws from the DynamoDB bucket; the writes are leases of many tokens,
never more than 10 % of the bucket, and an instance can only be stricter than the bucket.`;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Non-2xx answers and connection errors (autocannon counts timeouts among errors) of one load run. */
export function failures(r: LoadResult): number {
  return r.non2xx + r.errors + (r.warmupFailures ?? 0);
}

/** The round with the median throughput (the lower middle one for an even count). */
export function medianRound(rounds: readonly Round[]): Round {
  const sorted = [...rounds].sort((a, b) => a.result.requestsPerSecond - b.result.requestsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Server CPU (all its processes and threads) per answered request, in ms; `part` narrows it (`java`: DynamoDB Local, `node`: the Node process). */
export function cpuMsPerRequest(name: string, round: Round, part = ''): number {
  const pct = Object.entries(round.cpu.byLabel).filter(([label]) => label.startsWith(`${name} ${part}`)).reduce((a, [, v]) => a + v, 0);
  return ((pct / 100) * round.result.duration * 1000) / Math.max(1, round.result.total);
}

/** Whether the server's process tree had a DynamoDB Local (`java`) in that round. */
export const hasDynamoDbLocal = (name: string, round: Round) => Object.keys(round.cpu.byLabel).some((label) => label.startsWith(`${name} java`));

/** Whether every round and warm-up answered only 2xx, without connection errors. */
export const roundValid = (r: Round) => failures(r.result) === 0 && (!r.warmup || failures(r.warmup) === 0);

/**
 * The table of systems measured under one load (median round, every round, failures), and
 * the throughput ratio Portcullis / each other system that ran.
 */
export function comparisonTable(measured: readonly Measured[]): string[] {
  const lines = [
    '| System | req/s (median round) | p50 ms | p90 ms | p99 ms | non-2xx (all rounds) | errors (all rounds) | req/s of every round | server CPU per request | of it, DynamoDB Local |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|---:|',
  ];
  for (const m of measured) {
    const mid = medianRound(m.rounds);
    const r = mid.result;
    // Every round and its warm-up count here, not only the median round.
    const non2xx = m.rounds.reduce((a, x) => a + x.result.non2xx + (x.warmup?.non2xx ?? 0), 0);
    const errors = m.rounds.reduce((a, x) => a + x.result.errors + (x.warmup?.errors ?? 0), 0);
    const every = m.rounds.map((x) => x.result.requestsPerSecond.toFixed(0)).join(', ');
    lines.push(`| ${m.name} | **${r.requestsPerSecond.toFixed(0)}** | ${r.latency.p50} | ${r.latency.p90} | ${r.latency.p99} | ${non2xx} | ${errors} | ${every} | ${cpuMsPerRequest(m.name, mid).toFixed(3)} ms | ${hasDynamoDbLocal(m.name, mid) ? `${cpuMsPerRequest(m.name, mid, 'java').toFixed(3)} ms` : '–'} |`);
  }
  const ratios = measured.filter((m) => m.name !== 'Portcullis').map((m) => ({ peer: m.name, ratio: throughputRatio(measured, m.name) }));
  for (const { peer, ratio } of ratios) if (ratio) lines.push('', `Throughput ratio Portcullis / ${peer} (median rounds): **${ratio.median.toFixed(2)}** (round by round: ${ratio.perRound.join(', ')})`);
  lines.push(...invalidNote(measured.flatMap((m) => m.rounds.map((r) => ({ name: m.name, r })))));
  return lines;
}

export function throughputRatio(measured: readonly Measured[], peerName = 'node-oidc-provider'): { median: number; perRound: string[] } | undefined {
  const ours = measured.find((m) => m.name === 'Portcullis');
  const peer = measured.find((m) => m.name === peerName);
  if (!ours || !peer) return undefined;
  const median = medianRound(ours.rounds).result.requestsPerSecond / medianRound(peer.rounds).result.requestsPerSecond;
  const perRound = ours.rounds.map((r, i) => (peer.rounds[i] ? (r.result.requestsPerSecond / peer.rounds[i].result.requestsPerSecond).toFixed(2) : '–'));
  return { median, perRound };
}

/** The INVALID RUN line (with every status code and the first failing answer), when a round failed. */
export function invalidNote(all: readonly { name: string; r: Round }[]): string[] {
  if (all.every(({ r }) => roundValid(r))) return [];
  const first = all.map(({ r }) => r.result.firstFailure ?? r.warmup?.firstFailure).find((f) => f !== undefined);
  return [
    '',
    '**INVALID RUN**: non-2xx responses or connection errors occurred (status codes: ' +
      all.map(({ name, r }) => `${name} ${JSON.stringify(r.result.statusCodes)}${r.warmup ? ` (warm-up ${JSON.stringify(r.warmup.statusCodes)})` : ''}`).join('; ') +
      ').' +
      (first ? ` First failing answer: ${first.status} \`${first.body.replace(/`/g, "'").slice(0, 300)}\`` : ''),
  ];
}

/** Where the CPU went in each measured round. */
export function cpuLines(all: readonly { name: string; r: Round }[]): string[] {
  const lines = ['', `CPU during each measured round, % of one core (the machine has ${all[0]?.r.cpu.cores ?? '?'} cores, so 200 % is all of it):`, ''];
  for (const { name, r } of all) {
    const shares = Object.entries(r.cpu.byLabel).filter(([, v]) => v >= 0.5).map(([label, v]) => `${label} ${v.toFixed(0)}`).join(', ');
    lines.push(`- ${name} (${r.result.requestsPerSecond.toFixed(0)} req/s): ${shares}; machine busy ${r.cpu.machineBusy.toFixed(0)}, hypervisor steal ${r.cpu.steal.toFixed(0)}`);
  }
  return lines;
}

export function renderResults(facts: RunFacts): { table: string; markdown: string; valid: boolean } {
  const { measured, bundles, load, machine } = facts;
  const all = measured.flatMap((m) => m.rounds.map((r) => ({ name: m.name, r })));
  const sections: { title: string; lines: string[]; valid: boolean }[] = [];
  if (measured.length > 0) {
    sections.push({ title: 'client_credentials, POST /oauth/token', lines: [...comparisonTable(measured), ...cpuLines(all)], valid: all.every(({ r }) => roundValid(r)) });
  }
  sections.push(...passwordRealmSection(facts), ...codeSection(facts), ...refreshSection(facts), ...userGrantsAnalysis(facts));
  const lines: string[] = [];
  if (bundles.length > 0) {
    lines.push(
      '| Function group | bundle, function only (`#shared/*` in the layer) | bundle, self-contained | cold import (median of 5) | the 5 runs, ms |',
      '|---|---:|---:|---:|---|',
      ...bundles.map((b) => `| ${b.group} | ${kb(b.functionBytes)} | ${kb(b.fullBytes)} | ${b.coldImportMs.toFixed(1)} ms | ${b.coldImportRuns.map((t) => t.toFixed(1)).join(', ')} |`),
    );
    sections.push({ title: 'Lambda bundles', lines, valid: true });
  }
  const valid = sections.every((x) => x.valid);
  const body = sections.map((x) => `## ${x.title}\n\n${x.lines.join('\n')}`).join('\n\n');
  const table = body;
  const markdown = `# Benchmark results

Written by \`npm run bench\` (bench/run.ts); overwritten on every full run. Scenarios:
client_credentials, password-realm, code, refresh (\`npm run bench -- --scenario password-realm,code\`
runs a subset and prints its tables without writing this file; so does \`--peer-store memory|dynamodb\`,
which measures only one of the refresh scenario's two node-oidc-provider configurations); \`--profile DIR\`
writes V8 CPU profiles of the Portcullis servers; \`node --import tsx bench/breakdown.ts --grant …\` times
the parts of one request.

- Date: ${facts.date.toISOString()}
- Machine: ${machine.nproc} cores (\`nproc\`), ${machine.cpu}; Node ${machine.node}
- Load: autocannon, ${load.connections} connections, ${load.warmupSeconds} s warm-up (discarded) then ${load.seconds} s measured (the user grants of issue 3: ${load.userGrantSeconds ?? load.seconds} s, each fresh server first warmed with ${load.serverWarmupSeconds ?? 0} s of refresh-token load), pipelining 1; rounds: ${load.rounds} per system and scenario, each on freshly started servers

${body}

${history}

## Method

- **Same load for both, one after the other in the same run** (client_credentials; the
  other scenarios below say where they differ): autocannon (programmatic
  API) in its own Node process (\`bench/load.mjs\`), never in a server's process;
  ${load.connections} connections; a ${load.warmupSeconds} s warm-up whose numbers are
  discarded, then a ${load.seconds} s measured run; loopback only. ${load.rounds} rounds,
  alternating Portcullis and node-oidc-provider, each round on a freshly started server; the
  table shows each system's median round and the ratio divides the two medians (this
  2-vCPU VM's speed drifts by ±10 % over minutes, so a single round can mislead). req/s =
  responses answered / the run's duration; latencies are autocannon's percentiles in ms.
  Any non-2xx answer or connection error, in a measured run or its warm-up, makes the run
  invalid: it is then marked above and \`npm run bench\` exits 1.
- **Quiet machine**: the machine is shared, so before each round the bench waits (at most
  30 s) until the rest of the machine uses under 25 % of a core, and measures a round again
  (twice at most) when other processes took over 20 % of a core during it. The CPU lines
  above come from /proc: per process tree and per Node thread (JavaScript runs on
  \`MainThread\`, RSA signatures on \`libuv-worker\`), DynamoDB Local's \`java\`, the
  load generator, everything else, and hypervisor steal. "Server CPU per request" is all
  of the server's processes (for Portcullis including DynamoDB Local) over the requests.
- **The request**: \`POST /oauth/token\`, \`application/x-www-form-urlencoded\`,
  \`grant_type=client_credentials&client_id=…&client_secret=…&audience=https://api.bench/\`
  (node-oidc-provider gets \`resource=\` instead of \`audience=\`, RFC 8707). Before
  measuring, one sample answer of each is checked: a 200 whose \`access_token\` is an RS256
  JWT that verifies against the server's own JWKS with the bench audience.
- **Portcullis**: the local server exactly as \`npm start\` runs it
  (\`node --import tsx infra/local/main.ts --port P --in-memory --data-dir <tmp> --tenant <bench tenant>\`):
  the real Lambda handlers behind the local API Gateway, on its own DynamoDB Local (Java),
  which is in the same 2 cores. The bench tenant (bench/servers.ts) has one
  \`client_secret_post\` M2M client (secret stored as an argon2id hash), one RS256 API and a
  client grant, and raises \`tenant.rate_limits.global\` to burst 100000 / 100000 per s so
  Auth0's default 100/s does not refuse: every request is still counted against the bucket in
  DynamoDB (leased writes, shared/store/rate-limits.ts), nothing is cached across requests
  but configuration, keys and the verified-secret MAC.
- **node-oidc-provider** ${'(bench/peer-oidc-provider.mjs)'}: \`NODE_ENV=production\`, default
  memory adapter, one client (\`client_secret_post\`, \`client_credentials\` only),
  \`features.clientCredentials\` and \`features.resourceIndicators\` (resource server with
  \`accessTokenFormat: 'jwt'\`, RS256), an RS256 key in \`jwks\`, \`devInteractions\` off,
  token route mounted at \`/oauth/token\`, logging silenced.
- **Bundles**: each \`functionGroups\` entry of infra/routes.ts bundled with esbuild as the CDK
  stack does (ESM, minified, platform node, target node24, \`mainFields: module, main\`,
  createRequire banner, source map external and not counted). "Function only" externalises
  \`#shared/*\` (shared/ ships in the layer); "self-contained" bundles everything a cold start
  loads. Cold import: a fresh \`node\` process times \`await import()\` of the self-contained
  bundle (process start-up excluded), median of 5 processes, no \`--enable-source-maps\`.
${userGrantsMethod(facts)}`;
  return { table, markdown, valid };
}
