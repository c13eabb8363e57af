import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { cpuWindow, waitForQuiet } from './cpu.ts';
import { measureBundles, type BundleFigures } from './bundles.ts';
import { runToEnd } from './processes.ts';
import { failures, renderResults, type LoadResult, type Measured, type Round } from './report.ts';
import { checkSample, startPeer, startPortcullis, type ServerUnderTest } from './servers.ts';

/**
 * `npm run bench`: Portcullis (the local server, on its own DynamoDB Local) and
 * node-oidc-provider, one after the other, under the same autocannon load (own process,
 * loopback only, bounded in time); then the Lambda bundle sizes and cold import times.
 * Both are measured `--rounds` times, alternately, each round on a freshly started server,
 * and the median round counts: this 2-vCPU VM's speed drifts by ±10 % over minutes.
 * Writes bench/RESULTS.md (a full run only) and exits 1 if any run had errors.
 *
 *   npm run bench -- [--seconds 10] [--warmup 3] [--connections 16] [--rounds 3]
 *                    [--only portcullis|peer] [--skip-bundles] [--profile DIR]
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    'skip-bundles': { type: 'boolean', default: false },
    /** Write a V8 CPU profile of the Portcullis server into DIR (node --cpu-prof). */
    profile: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 9) throw new Error('--rounds must be 1..9');
const load = { seconds: Number(values.seconds), warmupSeconds: Number(values.warmup), connections: Number(values.connections) };
if (![load.seconds, load.warmupSeconds, load.connections].every((n) => Number.isInteger(n) && n >= 0) || load.seconds < 1 || load.seconds > 120 || load.warmupSeconds > 60) {
  throw new Error('--seconds must be 1..120, --warmup 0..60, --connections a positive integer');
}

/** Other processes' CPU (% of one core) above which a measured run counts as noisy. */
const noisyAbove = 20;

const displayNames: Record<string, string> = { portcullis: 'Portcullis', peer: 'node-oidc-provider' };

const starters: Record<string, () => Promise<ServerUnderTest>> = {
  portcullis: () => startPortcullis({ nodeArgs: values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [] }),
  peer: startPeer,
};

async function measure(start: () => Promise<ServerUnderTest>): Promise<Round> {
  const server = await start();
  try {
    const sample = await checkSample(server);
    process.stdout.write(`${server.name}: sample OK (${sample.alg} JWT, claims ${sample.claims.join(' ')}); loading…\n`);
    // The machine is shared: wait for the rest of it to be quiet, and measure again (twice at
    // most) when something else took CPU during the run; the quietest attempt counts.
    // An attempt with failures is never traded for a quieter one: failures make the run invalid.
    let best: Round | undefined;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const quiet = await waitForQuiet();
      if (quiet.busy >= 25) process.stdout.write(`${server.name}: machine still busy (${quiet.busy}% of a core) after ${quiet.waitedMs / 1000} s; measuring anyway\n`);
      const warmup = load.warmupSeconds > 0 ? await runLoad(server, load.warmupSeconds) : undefined;
      const endWindow = cpuWindow();
      const result = await runLoad(server, load.seconds);
      const cpu = endWindow({ [server.name]: server.child.process.pid });
      cpu.byLabel['load generator'] = result.cpuPercent;
      cpu.byLabel['everything else'] = Math.max(0, Math.round((cpu.byLabel['everything else']! - result.cpuPercent) * 10) / 10);
      const failed = [warmup, result].some((r) => r && failures(r) > 0);
      const round: Round = { result, warmup, cpu, serverOutput: failed ? server.child.output().slice(-2_000) : '' };
      if (!best || failed || cpu.byLabel['everything else']! < best.cpu.byLabel['everything else']!) best = round;
      if (failed || cpu.byLabel['everything else']! <= noisyAbove) break;
      process.stdout.write(`${server.name}: attempt ${attempt} was noisy (other processes used ${cpu.byLabel['everything else']}% of a core)${attempt < 3 ? '; measuring again' : ''}\n`);
    }
    const { result } = best!;
    process.stdout.write(`${server.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}\n`);
    return best!;
  } finally {
    await server.stop();
  }
}

/** One autocannon run in its own process; bounded: it stops itself, the kill is a backstop. */
async function runLoad(server: ServerUnderTest, seconds: number): Promise<LoadResult> {
  const spec = { url: server.tokenUrl, body: server.body, connections: load.connections, seconds };
  const out = await runToEnd(process.execPath, ['bench/load.mjs', JSON.stringify(spec)], (seconds + 30) * 1000);
  return JSON.parse(out.trim().split('\n').pop()!) as LoadResult;
}

async function machine(): Promise<{ nproc: string; cpu: string; node: string }> {
  const nproc = (await runToEnd('nproc', [], 5_000)).trim();
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  return { nproc, cpu, node: process.version };
}

async function main(): Promise<void> {
  const names = values.only ? [values.only] : ['portcullis', 'peer'];
  const systems = new Map<string, Round[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const name of names) {
      const start = starters[name];
      if (!start) throw new Error(`--only must be portcullis or peer, got ${name}`);
      process.stdout.write(`round ${round}/${rounds}: ${name}\n`);
      const result = await measure(start);
      systems.set(displayNames[name]!, [...(systems.get(displayNames[name]!) ?? []), result]);
    }
  }
  const measured: Measured[] = [...systems].map(([name, all]) => ({ name, rounds: all }));
  let bundles: BundleFigures[] = [];
  if (!values['skip-bundles']) {
    process.stdout.write('bundles: building and timing cold imports…\n');
    bundles = await measureBundles(5);
  }
  const report = renderResults({ date: new Date(), machine: await machine(), load: { ...load, rounds }, measured, bundles });
  process.stdout.write(`\n${report.table}\n`);
  if (!values.only && !values['skip-bundles'] && !values.profile) {
    await writeFile(new URL('./RESULTS.md', import.meta.url), report.markdown);
    process.stdout.write('written to bench/RESULTS.md\n');
  }
  if (!report.valid) {
    process.stderr.write('INVALID RUN: some responses were not 2xx or failed; see above.\n');
    for (const m of measured) for (const r of m.rounds) if (r.serverOutput) process.stderr.write(`--- ${m.name} output (tail) ---\n${r.serverOutput}\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? error}\n`);
  process.exit(1);
});
