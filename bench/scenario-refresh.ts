import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureRound, runLoad } from './measure.ts';
import { failures, type LoadResult, type Round } from './report.ts';
import { audience, benchUser, checkSample, form, passwordRealmGrant, startPeer, startPortcullis, webApp, type PeerStore, type ServerUnderTest } from './servers.ts';

/**
 * Refresh-token throughput, Portcullis beside node-oidc-provider, both with the same
 * confidential client (client_secret_post), the same scope (`openid offline_access
 * read:messages`) and the same answer: an RS256 JWT access token for the bench API and an ID
 * token. Two variants:
 *  - non-rotating (Portcullis `rotation_type: non-rotating`; the provider's
 *    `rotateRefreshToken` false for that client): one token, one fixed body;
 *  - rotating (`rotating` / `rotateRefreshToken` true): one family (grant) per connection,
 *    each answer's refresh token sent next (bench/load.mjs `rotate`), a closed loop.
 * Portcullis's tokens come from its own password-realm grant (one login each, fresh families
 * for every run); the provider's are minted at its start-up through its models
 * (bench/peer-oidc-provider.mjs), as many as the runs may spend.
 *
 * The provider runs in two configurations (`RefreshSystem`): `peer` on its memory adapter
 * (nothing persisted) and `peer-dynamodb` on bench/peer-dynamodb-adapter.mjs and its own
 * DynamoDB Local, so that, like Portcullis, it persists every grant and token; for the latter
 * the measured run also counts the DynamoDB commands the provider sent per answer.
 */
export type RefreshVariant = 'non-rotating' | 'rotating';

export type RefreshSystem = 'portcullis' | 'peer' | 'peer-dynamodb';

export interface RefreshOptions {
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Seconds of non-rotating refresh load on each fresh server before anything is measured (both systems). */
  readonly serverWarmupSeconds: number;
  readonly nodeArgs: readonly string[];
}

export const refreshScope = 'openid offline_access read:messages';

const refreshPrefix = (clientId: string) => `${form({ grant_type: 'refresh_token', client_id: clientId, client_secret: webApp.clientSecret })}&refresh_token=`;

/** A Portcullis refresh token of a new family, from one password-realm login. */
async function portcullisRefreshToken(server: ServerUnderTest, clientId: string): Promise<string> {
  const body = form({
    grant_type: passwordRealmGrant,
    client_id: clientId,
    client_secret: webApp.clientSecret,
    realm: benchUser.connection,
    username: benchUser.email,
    password: benchUser.password,
    scope: refreshScope,
    audience,
  });
  const res = await fetch(server.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  const token = res.status === 200 ? (JSON.parse(text) as { refresh_token?: string }).refresh_token : undefined;
  if (!token) throw new Error(`password-realm for a refresh token answered ${res.status}: ${text.slice(0, 300)}`);
  return token;
}

/** Where a system's refresh tokens come from. */
interface TokenSource {
  readonly server: ServerUnderTest;
  /** The server's DynamoDB commands so far, by name, when it can count them (the peer on DynamoDB). */
  readonly ddbCommands?: () => Promise<Record<string, number>>;
  nonRotating(): Promise<string>;
  /** `count` tokens of the rotating client, each of its own family, never handed out before. */
  rotating(count: number): Promise<string[]>;
}

async function portcullisSource(nodeArgs: readonly string[]): Promise<TokenSource> {
  const server = await startPortcullis({ nodeArgs });
  return {
    server,
    nonRotating: () => portcullisRefreshToken(server, webApp.clientId),
    rotating: async (count) => {
      const out: string[] = [];
      // Four logins at a time: each is one argon2id verification on the server.
      for (let i = 0; i < count; i += 4) {
        out.push(...(await Promise.all(Array.from({ length: Math.min(4, count - i) }, () => portcullisRefreshToken(server, webApp.rotatingClientId)))));
      }
      return out;
    },
  };
}

/** Runs that may spend rotating tokens: a sample, then warm-up and measurement of up to 3 attempts. */
const rotatingRuns = 7;

async function peerSource(connections: number, store: PeerStore): Promise<TokenSource> {
  const server = await startPeer({ rotatingRefreshTokens: connections * rotatingRuns, store });
  const minted = server.refreshTokens!;
  let next = 0;
  return {
    server,
    ...(server.ddbCommands ? { ddbCommands: server.ddbCommands } : {}),
    nonRotating: async () => minted.nonRotating,
    rotating: async (count) => {
      if (next + count > minted.rotating.length) throw new Error('node-oidc-provider: out of minted rotating refresh tokens');
      next += count;
      return minted.rotating.slice(next - count, next);
    },
  };
}

/** One round of each variant, on one freshly started server of `system`. */
export async function refreshRound(system: RefreshSystem, variants: readonly RefreshVariant[], options: RefreshOptions): Promise<Partial<Record<RefreshVariant, Round>>> {
  const source = system === 'portcullis' ? await portcullisSource(options.nodeArgs) : await peerSource(options.connections, system === 'peer-dynamodb' ? 'dynamodb' : 'memory');
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-refresh-'));
  try {
    await warmUp(source, options);
    const rounds: Partial<Record<RefreshVariant, Round>> = {};
    for (const variant of variants) rounds[variant] = await (variant === 'rotating' ? rotatingRound(source, dir, options) : nonRotatingRound(source, options));
    return rounds;
  } finally {
    await source.server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same warm-up for both systems (bench/warm-server.ts says why Portcullis needs one). */
async function warmUp(source: TokenSource, options: RefreshOptions): Promise<void> {
  if (options.serverWarmupSeconds <= 0) return;
  const { server } = source;
  const body = refreshPrefix(webApp.clientId) + encodeURIComponent(await source.nonRotating());
  const result = await runLoad({ url: server.tokenUrl, connections: options.connections, seconds: options.serverWarmupSeconds, body });
  if (failures(result) > 0) throw new Error(`warming ${server.name}: ${JSON.stringify(result.statusCodes)}, first failure ${result.firstFailure?.status}: ${result.firstFailure?.body}`);
}

const title = (server: ServerUnderTest, variant: RefreshVariant, connections: number) => `${server.name} refresh (${variant}), ${connections} connections`;

/**
 * The measured run, with the server's DynamoDB commands per token response when it counts
 * them: both counted by the server, asked just before and just after the load.
 */
async function counted(source: TokenSource, run: () => Promise<LoadResult>): Promise<LoadResult> {
  if (!source.ddbCommands) return run();
  const before = await source.ddbCommands();
  const result = await run();
  const after = await source.ddbCommands();
  const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
  const responses = delta('token responses');
  const perRequest: Record<string, number> = {};
  for (const command of Object.keys(after)) if (command !== 'token responses' && delta(command) > 0) perRequest[command] = delta(command) / Math.max(1, responses);
  return { ...result, ddbCommandsPerRequest: perRequest };
}

async function nonRotatingRound(source: TokenSource, options: RefreshOptions): Promise<Round> {
  const { server } = source;
  const what = title(server, 'non-rotating', options.connections);
  const token = await source.nonRotating();
  const body = refreshPrefix(webApp.clientId) + encodeURIComponent(token);
  const sample = await checkSample(server, body);
  if (sample.response.refresh_token !== undefined && sample.response.refresh_token !== token) throw new Error(`${what}: a non-rotating refresh answered another refresh token`);
  process.stdout.write(`${what}: sample OK (${sample.alg} JWT, id_token ${sample.response.id_token ? 'yes' : 'no'}); loading…\n`);
  const load = { url: server.tokenUrl, connections: options.connections, body };
  return measureRound(server, what, {
    warmup: async () => (options.warmupSeconds > 0 ? runLoad({ ...load, seconds: options.warmupSeconds }) : undefined),
    run: () => counted(source, () => runLoad({ ...load, seconds: options.seconds })),
  });
}

async function rotatingRound(source: TokenSource, dir: string, options: RefreshOptions): Promise<Round> {
  const { server } = source;
  const what = title(server, 'rotating', options.connections);
  const prefix = refreshPrefix(webApp.rotatingClientId);
  const [first] = await source.rotating(1);
  const sample = await checkSample(server, prefix + encodeURIComponent(first!));
  if (typeof sample.response.refresh_token !== 'string' || sample.response.refresh_token === first) throw new Error(`${what}: a rotating refresh answered no new refresh token`);
  process.stdout.write(`${what}: sample OK (${sample.alg} JWT, id_token ${sample.response.id_token ? 'yes' : 'no'}, a new refresh token); loading…\n`);
  // Fresh families for every run, minted outside the measured window (Portcullis: one login each).
  let files = 0;
  const tokensFile = async () => {
    const file = join(dir, `tokens-${++files}.json`);
    await writeFile(file, JSON.stringify(await source.rotating(options.connections)), { mode: 0o600 });
    return file;
  };
  let runFile = '';
  const load = (file: string, seconds: number) => runLoad({ url: server.tokenUrl, connections: options.connections, seconds, rotate: { tokensFile: file, bodyPrefix: prefix } });
  return measureRound(server, what, {
    warmup: async () => (options.warmupSeconds > 0 ? load(await tokensFile(), options.warmupSeconds) : undefined),
    prepare: async () => {
      runFile = await tokensFile();
    },
    run: () => counted(source, () => load(runFile, options.seconds)),
  });
}
