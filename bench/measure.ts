import { cpuWindow, waitForQuiet } from './cpu.ts';
import { runToEnd } from './processes.ts';
import { failures, type LoadResult, type Round } from './report.ts';
import type { ServerUnderTest } from './servers.ts';

/**
 * One measured round against a running server, the way every scenario of `npm run bench`
 * takes it: wait for the shared machine to be quiet, warm up, prepare (e.g. mint the codes
 * the run spends), then the measured run inside a CPU window. A round during which other
 * processes took CPU is measured again (twice at most) and the quietest attempt counts; an
 * attempt with failures is never traded for a quieter one: failures make the run invalid.
 */
export interface RoundSteps {
  /** Discarded numbers, counted failures. */
  readonly warmup?: () => Promise<LoadResult | undefined>;
  /** Runs after the warm-up and outside the CPU window. */
  readonly prepare?: () => Promise<void>;
  readonly run: () => Promise<LoadResult>;
  /** Runs after the CPU window closed (e.g. a second reference measurement). */
  readonly finish?: (result: LoadResult) => Promise<void>;
}

/** Other processes' CPU (% of one core) above which a measured run counts as noisy. */
export const noisyAbove = 20;

const say = (line: string) => process.stdout.write(`${line}\n`);

export async function measureRound(server: ServerUnderTest, what: string, steps: RoundSteps): Promise<Round> {
  let best: Round | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const quiet = await waitForQuiet();
    if (quiet.busy >= 25) say(`${what}: machine still busy (${quiet.busy}% of a core) after ${quiet.waitedMs / 1000} s; measuring anyway`);
    const warmup = steps.warmup ? await steps.warmup() : undefined;
    if (steps.prepare) await steps.prepare();
    const endWindow = cpuWindow();
    const result = await steps.run();
    const cpu = endWindow({ [server.name]: server.child.process.pid });
    if (steps.finish) await steps.finish(result);
    cpu.byLabel['load generator'] = result.cpuPercent;
    cpu.byLabel['everything else'] = Math.max(0, Math.round((cpu.byLabel['everything else']! - result.cpuPercent) * 10) / 10);
    const failed = [warmup, result].some((r) => r && failures(r) > 0);
    const round: Round = { result, warmup, cpu, serverOutput: failed ? server.child.output().slice(-2_000) : '' };
    if (!best || failed || cpu.byLabel['everything else']! < best.cpu.byLabel['everything else']!) best = round;
    if (failed || cpu.byLabel['everything else']! <= noisyAbove) break;
    say(`${what}: attempt ${attempt} was noisy (other processes used ${cpu.byLabel['everything else']}% of a core)${attempt < 3 ? '; measuring again' : ''}`);
  }
  const { result } = best!;
  say(`${what}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`);
  if (result.firstFailure) say(`${what}: first failure ${result.firstFailure.status}: ${result.firstFailure.body}`);
  return best!;
}

/** What bench/load.mjs takes: a fixed body, a pool of single-use bodies, or a rotation. */
export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly body?: string;
  readonly bodiesFile?: string;
  readonly rotate?: { readonly tokensFile: string; readonly bodyPrefix: string };
}

/** One autocannon run in its own process; bounded: it stops itself, the kill is a backstop. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const out = await runToEnd(process.execPath, ['bench/load.mjs', JSON.stringify(spec)], (spec.seconds + 30) * 1000);
  return JSON.parse(out.trim().split('\n').pop()!) as LoadResult;
}

/** `requests` sequential requests (after `warmup` more) timed to the microsecond, in their own process. */
export async function runSequential(spec: { url: string; body: string; requests: number; warmup: number }): Promise<LoadResult> {
  const out = await runToEnd(process.execPath, ['bench/load-sequential.mjs', JSON.stringify(spec)], 300_000);
  const result = JSON.parse(out.trim().split('\n').pop()!) as LoadResult & { warmupFailures: number };
  return result;
}
