import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeExchangeBody, HostedLogin } from './hosted-login.ts';
import { measureRound, runLoad } from './measure.ts';
import { warmServer } from './warm-server.ts';
import type { LoadResult, Round } from './report.ts';
import { checkSample, startPortcullis } from './servers.ts';

/**
 * Authorization-code exchange throughput. Codes are single use and live 60 s
 * (shared/store/authorization-codes.ts `codeLifetimeSeconds`), so each run spends a pool
 * minted just before it: one login through the hosted pages, then /authorize with the SSO
 * cookie (prompt=none, PKCE S256) once per code. The warm-up spends a small pool and gives
 * the exchange rate; the measured pool is sized from it for `seconds` of load (with room to
 * spare), but never more than can be minted and spent within the codes' lifetime (minted
 * oldest first, spent in that order); the run ends after `seconds` or when the pool is spent.
 * Every answer must be a 200: a code that expired would show as a 403.
 */
export interface CodeRound extends Round {
  /** The measured run's pool: how many codes, minted at what rate. */
  readonly pool: { readonly codes: number; readonly mintSeconds: number; readonly mintPerSecond: number };
}

export interface CodeOptions {
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** bench/warm-server.ts before anything is measured. */
  readonly serverWarmupSeconds: number;
  readonly nodeArgs: readonly string[];
}

/** Concurrent /authorize requests while minting (the local server has one event loop). */
const mintConcurrency = 8;
/** Seconds of a code's 60 s life the bench may use (mint + spend): the rest is margin. */
const usableLifetime = 50;
/** Exchange rate assumed before the warm-up has measured one, req/s. */
const firstGuess = 400;

export async function codeRound(options: CodeOptions): Promise<CodeRound> {
  const server = await startPortcullis({ nodeArgs: options.nodeArgs });
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-codes-'));
  try {
    const login = new HostedLogin(server.baseUrl);
    const sample = await checkSample(server, codeExchangeBody(await login.logIn()));
    process.stdout.write(`code: login and sample exchange OK (${sample.alg} JWT, scope ${String(sample.response.scope)}); warming the server…\n`);
    await warmServer(server, options.serverWarmupSeconds, options.connections);

    let exchangeRate = firstGuess;
    let mintRate = 0;
    let pool: CodeRound['pool'] = { codes: 0, mintSeconds: 0, mintPerSecond: 0 };
    const pools = new Map<LoadResult, CodeRound['pool']>();
    let poolFile = '';
    let mintedAt = 0;
    /** Mints `count` codes into a file for bench/load.mjs; returns the minting rate. */
    const mint = async (count: number, file: string) => {
      const started = performance.now();
      const codes = await login.codes(count, mintConcurrency);
      const seconds = (performance.now() - started) / 1000;
      await writeFile(file, JSON.stringify(codes.map(codeExchangeBody)), { mode: 0o600 });
      mintRate = count / seconds;
      mintedAt = started;
      return { codes: count, mintSeconds: seconds, mintPerSecond: mintRate };
    };
    /** What is left of the oldest code's usable life, in whole seconds (at least 1). */
    const lifeLeft = () => Math.max(1, Math.floor(usableLifetime - (performance.now() - mintedAt) / 1000));
    const spare = 2 * options.connections; // built up front by autocannon, never sent

    const warmupRun = async (): Promise<LoadResult | undefined> => {
      if (options.warmupSeconds === 0) return undefined;
      const file = join(dir, 'warmup-codes.json');
      await mint(Math.ceil(exchangeRate * options.warmupSeconds) + spare, file);
      const result = await runLoad({ url: server.tokenUrl, connections: options.connections, seconds: lifeLeft(), bodiesFile: file });
      if (result.total > 0) exchangeRate = result.requestsPerSecond;
      return result;
    };
    const round = await measureRound(server, `code exchange, ${options.connections} connections`, {
      warmup: warmupRun,
      prepare: async () => {
        // Enough for `seconds` at 1.5 × the warm-up's rate (a warm-up on a fresh server is slow;
        // codes left over expire unused), within what minting and spending allow.
        const wanted = Math.ceil(exchangeRate * options.seconds * 1.5);
        const affordable = mintRate > 0 ? Math.floor((usableLifetime - 5) / (1 / mintRate + 1 / exchangeRate)) : wanted;
        poolFile = join(dir, 'codes.json');
        pool = await mint(Math.max(options.connections, Math.min(wanted, affordable)) + spare, poolFile);
      },
      run: async () => {
        const result = await runLoad({ url: server.tokenUrl, connections: options.connections, seconds: Math.min(options.seconds, lifeLeft()), bodiesFile: poolFile });
        pools.set(result, pool);
        return result;
      },
    });
    return { ...round, pool: pools.get(round.result)! };
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
