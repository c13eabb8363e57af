import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { measureBundles, type BundleFigures } from './bundles.ts';
import { measureRound, runLoad } from './measure.ts';
import { runToEnd } from './processes.ts';
import { renderResults, type Measured, type Round, type RunFacts } from './report.ts';
import { passwordRealmVerdict, type Breakdown } from './report-user-grants.ts';
import { waitForQuiet } from './cpu.ts';
import { codeRound, type CodeRound } from './scenario-code.ts';
import { passwordRealmRound, type PasswordRealmRound } from './scenario-password-realm.ts';
import { refreshRound, type RefreshSystem, type RefreshVariant } from './scenario-refresh.ts';
import { checkSample, peerName, startPeer, startPortcullis, type ServerUnderTest } from './servers.ts';

/**
 * `npm run bench`: Portcullis (the local server, on its own DynamoDB Local) and
 * node-oidc-provider under the same load (autocannon in its own process, loopback only,
 * bounded in time), scenario by scenario:
 *  - client-credentials: Portcullis and the peer, `--connections`;
 *  - password-realm: the grant's latency one request at a time against one argon2id hash,
 *    then its throughput with `--login-connections`;
 *  - code: authorization-code exchange throughput from pre-minted single-use codes;
 *  - refresh: refresh-token throughput, non-rotating and rotating, Portcullis and the peer,
 *    the peer on DynamoDB Local (bench/peer-dynamodb-adapter.mjs) and/or in memory (`--peer-store`);
 * then the Lambda bundle sizes and cold import times. Each scenario runs `--rounds` times,
 * each round on freshly started servers, and the median round counts: this 2-vCPU VM's
 * speed drifts by ±10 % over minutes. Writes bench/RESULTS.md (a full run only) and exits 1
 * if any run had a non-2xx answer or a connection error.
 *
 *   npm run bench -- [--scenario client-credentials,password-realm,code,refresh]
 *                    [--seconds 10] [--user-grant-seconds 6] [--server-warmup 8] [--warmup 3] [--connections 16]
 *                    [--login-connections 4] [--login-requests 150] [--rounds 3]
 *                    [--only portcullis|peer] [--peer-store memory|dynamodb|both] [--skip-bundles] [--profile DIR]
 *
 * `--seconds` is the measured run of client_credentials (as in the results' history);
 * `--user-grant-seconds` that of the issue-3 scenarios, shorter so a full run stays near
 * 10 minutes on this 2-core machine; `--server-warmup` seconds of refresh-token load warm each
 * fresh server and its DynamoDB Local (a JVM) before a user-grant scenario measures anything.
 * `--peer-store` says which node-oidc-provider configurations the refresh scenario measures
 * (both by default; client_credentials always uses the memory one).
 */
const scenarios = ['client-credentials', 'password-realm', 'code', 'refresh'] as const;
type Scenario = (typeof scenarios)[number];

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: scenarios.join(',') },
    seconds: { type: 'string', default: '10' },
    'user-grant-seconds': { type: 'string', default: '6' },
    /** Refresh-token load on each fresh server before a user-grant scenario (bench/warm-server.ts). */
    'server-warmup': { type: 'string', default: '8' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    'login-connections': { type: 'string', default: '4' },
    /** Sequential password-realm requests per round (each about one hash long). */
    'login-requests': { type: 'string', default: '150' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    /** The refresh scenario's node-oidc-provider: on DynamoDB Local, in memory, or both (each round). */
    'peer-store': { type: 'string', default: 'both' },
    'skip-bundles': { type: 'boolean', default: false },
    /** Write a V8 CPU profile of each Portcullis server into DIR (node --cpu-prof). */
    profile: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 9) throw new Error('--rounds must be 1..9');
const load = { seconds: Number(values.seconds), warmupSeconds: Number(values.warmup), connections: Number(values.connections) };
const userGrantSeconds = Number(values['user-grant-seconds']);
const serverWarmupSeconds = Number(values['server-warmup']);
const loginConnections = Number(values['login-connections']);
const loginRequests = Number(values['login-requests']);
if (
  ![load.seconds, userGrantSeconds, serverWarmupSeconds, load.warmupSeconds, load.connections, loginConnections, loginRequests].every((n) => Number.isInteger(n) && n >= 0) ||
  load.seconds < 1 || load.seconds > 120 || userGrantSeconds < 1 || userGrantSeconds > 40 || serverWarmupSeconds > 60 || load.warmupSeconds > 60 || load.connections < 1 || loginConnections < 1 || loginRequests < 10 || loginRequests > 5_000
) {
  throw new Error('--seconds must be 1..120, --user-grant-seconds 1..40, --server-warmup 0..60, --warmup 0..60, --connections and --login-connections positive integers, --login-requests 10..5000');
}
const chosen = values.scenario.split(',').map((s) => s.trim()) as Scenario[];
for (const s of chosen) if (!scenarios.includes(s)) throw new Error(`--scenario takes ${scenarios.join(', ')} (comma-separated), got ${s}`);
if (values.only !== undefined && values.only !== 'portcullis' && values.only !== 'peer') throw new Error(`--only must be portcullis or peer, got ${values.only}`);
const systems = values.only ? [values.only as 'portcullis' | 'peer'] : (['portcullis', 'peer'] as const);
const peerStores = { memory: ['peer'], dynamodb: ['peer-dynamodb'], both: ['peer-dynamodb', 'peer'] } as const satisfies Record<string, readonly RefreshSystem[]>;
if (!Object.hasOwn(peerStores, values['peer-store'])) throw new Error(`--peer-store must be memory, dynamodb or both, got ${values['peer-store']}`);
/** Each round of the refresh scenario: Portcullis, then the peer configurations chosen. */
const refreshSystems: readonly RefreshSystem[] = systems.flatMap((s) => (s === 'peer' ? peerStores[values['peer-store'] as keyof typeof peerStores] : [s]));
const nodeArgs = values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [];

const displayNames: Record<string, string> = { portcullis: 'Portcullis', peer: peerName('memory'), 'peer-dynamodb': peerName('dynamodb') };
const say = (line: string) => process.stdout.write(`${line}\n`);

const starters: Record<'portcullis' | 'peer', () => Promise<ServerUnderTest>> = {
  portcullis: () => startPortcullis({ nodeArgs }),
  peer: () => startPeer(),
};

async function clientCredentialsRound(start: () => Promise<ServerUnderTest>): Promise<Round> {
  const server = await start();
  try {
    const sample = await checkSample(server);
    say(`${server.name}: sample OK (${sample.alg} JWT, claims ${sample.claims.join(' ')}); loading…`);
    const spec = { url: server.tokenUrl, body: server.body, connections: load.connections };
    return await measureRound(server, `${server.name} client_credentials`, {
      warmup: async () => (load.warmupSeconds > 0 ? runLoad({ ...spec, seconds: load.warmupSeconds }) : undefined),
      run: () => runLoad({ ...spec, seconds: load.seconds }),
    });
  } finally {
    await server.stop();
  }
}

/** Rounds of each system, alternating, collected by display name. */
async function alternate(names: readonly ('portcullis' | 'peer')[], one: (name: 'portcullis' | 'peer') => Promise<Round>, label: string): Promise<Measured[]> {
  const bySystem = new Map<string, Round[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const name of names) {
      say(`${label} round ${round}/${rounds}: ${name}`);
      const result = await one(name);
      bySystem.set(displayNames[name]!, [...(bySystem.get(displayNames[name]!) ?? []), result]);
    }
  }
  return [...bySystem].map(([name, all]) => ({ name, rounds: all }));
}

async function refreshScenario(): Promise<RunFacts['refresh']> {
  const variants: RefreshVariant[] = ['non-rotating', 'rotating'];
  const collected = new Map<RefreshVariant, Map<string, Round[]>>(variants.map((v) => [v, new Map()]));
  const options = { connections: load.connections, seconds: userGrantSeconds, warmupSeconds: load.warmupSeconds, serverWarmupSeconds, nodeArgs };
  for (let round = 1; round <= rounds; round++) {
    for (const system of refreshSystems) {
      say(`refresh round ${round}/${rounds}: ${system}`);
      const results = await refreshRound(system, variants, options);
      for (const v of variants) {
        const byName = collected.get(v)!;
        byName.set(displayNames[system]!, [...(byName.get(displayNames[system]!) ?? []), results[v]!]);
      }
    }
  }
  return {
    connections: load.connections,
    breakdown: values.only === 'peer' || values.profile ? undefined : await breakdown('refresh-rotating', 300),
    variants: variants.map((variant) => ({ variant, measured: [...collected.get(variant)!].map(([name, all]) => ({ name, rounds: all })) })),
  };
}

/** bench/breakdown.ts --json once, on a quiet machine (it starts its own server and database). */
async function breakdown(grant: string, requests: number): Promise<Breakdown> {
  await waitForQuiet();
  say(`breakdown: ${grant}, ${requests} sequential requests…`);
  const out = await runToEnd(process.execPath, ['--import', 'tsx', 'bench/breakdown.ts', '--grant', grant, '--requests', String(requests), '--json'], 300_000);
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`bench/breakdown.ts printed no result:\n${out.slice(-1_000)}`);
  return JSON.parse(line) as Breakdown;
}

async function machine(): Promise<{ nproc: string; cpu: string; node: string }> {
  const nproc = (await runToEnd('nproc', [], 5_000)).trim();
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  return { nproc, cpu, node: process.version };
}

async function main(): Promise<void> {
  const started = Date.now();
  let measured: Measured[] = [];
  if (chosen.includes('client-credentials')) measured = await alternate(systems, (name) => clientCredentialsRound(starters[name]), 'client_credentials');

  let passwordRealm: RunFacts['passwordRealm'];
  if (chosen.includes('password-realm') && values.only !== 'peer') {
    const all: PasswordRealmRound[] = [];
    for (let round = 1; round <= rounds; round++) {
      say(`password-realm round ${round}/${rounds}`);
      all.push(await passwordRealmRound({ sequentialRequests: loginRequests, hashRuns: 20, connections: loginConnections, seconds: userGrantSeconds, warmupSeconds: load.warmupSeconds, serverWarmupSeconds, nodeArgs }));
      const v = passwordRealmVerdict([all.at(-1)!]).perRound[0]!;
      say(`password-realm: one hash p50 ${v.hashP50.toFixed(1)} ms, grant p50 ${v.grantP50.toFixed(1)} ms: +${v.overhead.toFixed(1)} ms`);
    }
    passwordRealm = { connections: loginConnections, sequentialRequests: loginRequests, hashRuns: 20, rounds: all, breakdown: values.profile ? undefined : await breakdown('password-realm', loginRequests) };
  }

  let code: RunFacts['code'];
  if (chosen.includes('code') && values.only !== 'peer') {
    const all: CodeRound[] = [];
    for (let round = 1; round <= rounds; round++) {
      say(`code round ${round}/${rounds}`);
      all.push(await codeRound({ connections: load.connections, seconds: userGrantSeconds, warmupSeconds: load.warmupSeconds, serverWarmupSeconds, nodeArgs }));
    }
    code = { connections: load.connections, rounds: all };
  }

  const refresh = chosen.includes('refresh') ? await refreshScenario() : undefined;

  let bundles: BundleFigures[] = [];
  if (!values['skip-bundles']) {
    say('bundles: building and timing cold imports…');
    bundles = await measureBundles(5);
  }
  const report = renderResults({ date: new Date(), machine: await machine(), load: { ...load, rounds, userGrantSeconds, serverWarmupSeconds }, measured, bundles, passwordRealm, code, refresh });
  say(`\n${report.table}\n`);
  say(`(${((Date.now() - started) / 60_000).toFixed(1)} min)`);
  const full = scenarios.every((s) => chosen.includes(s)) && !values.only && values['peer-store'] === 'both' && !values['skip-bundles'] && !values.profile;
  if (full) {
    await writeFile(new URL('./RESULTS.md', import.meta.url), report.markdown);
    say('written to bench/RESULTS.md');
  }
  if (!report.valid) {
    process.stderr.write('INVALID RUN: some responses were not 2xx or failed; see above.\n');
    const rounds: { name: string; r: Round }[] = [
      ...measured.flatMap((m) => m.rounds.map((r) => ({ name: m.name, r }))),
      ...(passwordRealm?.rounds.flatMap((x) => [{ name: 'password-realm', r: x.sequential }, { name: 'password-realm', r: x.throughput }]) ?? []),
      ...(code?.rounds.map((r) => ({ name: 'code', r: r as Round })) ?? []),
      ...(refresh?.variants.flatMap((v) => v.measured.flatMap((m) => m.rounds.map((r) => ({ name: `${m.name} refresh ${v.variant}`, r })))) ?? []),
    ];
    for (const { name, r } of rounds) if (r.serverOutput) process.stderr.write(`--- ${name} output (tail) ---\n${r.serverOutput}\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? error}\n`);
  process.exit(1);
});
