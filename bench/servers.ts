import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { stringify } from 'yaml';
import { freePort } from '../infra/local/free-port.ts';
import { startChild, waitFor, type Child } from './processes.ts';

/**
 * The two systems under test, each started as a child process on loopback, with the one
 * form body it is loaded with: the same client_credentials request, except that
 * node-oidc-provider names the API `resource` (RFC 8707) where Auth0 says `audience`.
 */
export interface ServerUnderTest {
  readonly name: string;
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly body: string;
  readonly child: Child;
  stop(): Promise<void>;
}

export const audience = 'https://api.bench/';
const root = new URL('../', import.meta.url).pathname;
const clientId = 'bench-m2m';
const clientSecret = `bench-${randomBytes(24).toString('base64url')}`;

/**
 * The user-facing side of the bench tenant (issue 3): one database connection with one user,
 * and two confidential web applications (client_secret_post, as node-oidc-provider's refresh
 * client) allowed the code, refresh and password-realm grants: one with non-rotating refresh
 * tokens (one token exchanged again and again), one rotating (each answer gives the next).
 */
export const benchUser = {
  connection: 'Bench-Users',
  email: 'bench-user@example.com',
  password: `Bench-${randomBytes(12).toString('base64url')}-9`,
} as const;
export const webApp = {
  clientId: 'bench-web',
  clientSecret: `bench-web-${randomBytes(24).toString('base64url')}`,
  rotatingClientId: 'bench-web-rotating',
  /** Registered, never fetched: the bench reads the code from the redirect's Location. */
  callback: 'https://app.bench.test/callback',
} as const;
export const passwordRealmGrant = 'http://auth0.com/oauth/grant-type/password-realm';

export const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

const webClient = (name: string, client_id: string, rotation: 'rotating' | 'non-rotating') => ({
  name,
  app_type: 'regular_web',
  client_id,
  client_secret: webApp.clientSecret,
  token_endpoint_auth_method: 'client_secret_post',
  grant_types: ['authorization_code', 'refresh_token', passwordRealmGrant],
  callbacks: [webApp.callback],
  // Auth0: rotating tokens must be expiring; non-rotating ones here never expire.
  refresh_token: rotation === 'rotating' ? { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0 } : { rotation_type: 'non-rotating', expiration_type: 'non-expiring' },
});

/**
 * The bench tenant: one M2M client with a grant on one RS256 API, the web applications and
 * the user above, and a global rate limit high enough not to refuse. Attack protection keeps
 * Auth0's defaults: every bench login has the right password, so no failure is ever counted.
 */
export function benchTenant(): Record<string, unknown> {
  return {
    tenant: {
      friendly_name: 'Portcullis bench',
      // Auth0's default (100/s) would throttle the run; every request still draws from the
      // bucket in DynamoDB (leased), it just is not refused.
      rate_limits: { global: { burst: 100_000, per_second: 100_000 } },
    },
    resourceServers: [
      { name: 'Bench API', identifier: audience, signing_alg: 'RS256', scopes: [{ value: 'read:messages' }], allow_offline_access: true },
    ],
    clients: [
      {
        name: 'bench',
        app_type: 'non_interactive',
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_post',
      },
      webClient('bench web', webApp.clientId, 'non-rotating'),
      webClient('bench web rotating', webApp.rotatingClientId, 'rotating'),
    ],
    clientGrants: [{ client_id: 'bench', audience, scope: ['read:messages'] }],
    connections: [{ name: benchUser.connection, strategy: 'auth0', enabled_clients: ['bench web', 'bench web rotating'] }],
    users: [{ connection: benchUser.connection, email: benchUser.email, password: benchUser.password, email_verified: true }],
  };
}

export async function startPortcullis(options: { nodeArgs?: readonly string[] } = {}): Promise<ServerUnderTest> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'portcullis-bench-'));
  const tenantFile = join(dataDir, 'bench-tenant.yaml');
  await writeFile(tenantFile, stringify(benchTenant()));
  const env = { ...process.env };
  delete env.DYNAMODB_ENDPOINT; // its own DynamoDB Local, as `npm start` does
  delete env.LOG_LEVEL;
  const args = [...(options.nodeArgs ?? []), '--import', 'tsx', 'infra/local/main.ts', '--port', String(port), '--in-memory', '--data-dir', dataDir, '--tenant', tenantFile];
  const child = startChild(process.execPath, args, { cwd: root, env });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${base}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(1000) })).status === 200, child, 'Portcullis');
  } catch (error) {
    await child.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    name: 'Portcullis',
    baseUrl: base,
    tokenUrl: `${base}/oauth/token`,
    body: form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience }),
    child,
    stop: async () => {
      await child.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Refresh tokens node-oidc-provider minted for its web clients at start-up (bench/peer-oidc-provider.mjs). */
export interface PeerRefreshTokens {
  readonly nonRotating: string;
  readonly rotating: readonly string[];
}

export interface Peer extends ServerUnderTest {
  /** Present when started with `refreshTokens`. */
  readonly refreshTokens: PeerRefreshTokens | undefined;
  /** With the DynamoDB store: the DynamoDB commands the peer has sent so far, by command name. */
  readonly ddbCommands: (() => Promise<Record<string, number>>) | undefined;
}

/**
 * Where node-oidc-provider keeps grants and tokens: its memory adapter, or DynamoDB Local
 * through bench/peer-dynamodb-adapter.mjs (its own DynamoDB Local, a child of the peer's process).
 */
export type PeerStore = 'memory' | 'dynamodb';

export const peerName = (store: PeerStore) => (store === 'dynamodb' ? 'node-oidc-provider on DynamoDB' : 'node-oidc-provider');

/** `rotatingRefreshTokens`: how many rotating refresh tokens (separate grants) to mint at start-up; 0 for none at all. */
export async function startPeer(options: { rotatingRefreshTokens?: number; store?: PeerStore } = {}): Promise<Peer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-peer-'));
  const tokensFile = join(dir, 'refresh-tokens.json');
  const withRefresh = options.rotatingRefreshTokens !== undefined;
  const store = options.store ?? 'memory';
  const spec = {
    port,
    clientId,
    clientSecret,
    store,
    ...(withRefresh ? { web: { clientId: webApp.clientId, clientSecret: webApp.clientSecret, callback: webApp.callback, tokensFile, rotating: options.rotatingRefreshTokens } } : {}),
  };
  // NODE_ENV=production: Koa's and the provider's production behaviour (no error details).
  const child = startChild(process.execPath, ['bench/peer-oidc-provider.mjs', JSON.stringify(spec)], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
  };
  let refreshTokens: PeerRefreshTokens | undefined;
  try {
    await waitFor(async () => (await fetch(`${base}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(1000) })).status === 200, child, 'node-oidc-provider');
    if (withRefresh) refreshTokens = JSON.parse(await readFile(tokensFile, 'utf8')) as PeerRefreshTokens;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name: peerName(store),
    baseUrl: base,
    tokenUrl: `${base}/oauth/token`,
    body: form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, resource: audience }),
    child,
    refreshTokens,
    ddbCommands: store === 'dynamodb' ? commandCounter(child) : undefined,
    stop,
  };
}

/**
 * Asks the peer for its DynamoDB command counts (SIGUSR2 to its own process, not the group)
 * and waits for the numbered line it prints (bench/peer-oidc-provider.mjs).
 */
function commandCounter(child: Child): () => Promise<Record<string, number>> {
  let asked = 0;
  return async () => {
    const n = ++asked;
    child.process.kill('SIGUSR2');
    const line = new RegExp(`^ddb-commands ${n} (\\{.*\\})$`, 'm');
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const match = line.exec(child.output());
      if (match) return JSON.parse(match[1]!) as Record<string, number>;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`node-oidc-provider printed no DynamoDB command counts:\n${child.output().slice(-1_000)}`);
  };
}

/**
 * One request before measuring: a 200 whose `access_token` is an RS256 JWT that verifies
 * against the server's own JWKS (from its discovery document) with the bench audience.
 * `body` defaults to the server's client_credentials request; the whole answer is returned
 * (a refresh token to go on with, for instance).
 */
export async function checkSample(server: ServerUnderTest, body = server.body): Promise<{ alg: string; claims: string[]; response: Record<string, unknown> }> {
  const res = await fetch(server.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${server.name}: sample request answered ${res.status}: ${text}`);
  const response = JSON.parse(text) as Record<string, unknown>;
  const token = response.access_token;
  if (typeof token !== 'string' || token.split('.').length !== 3) throw new Error(`${server.name}: sample response has no JWT access_token: ${text}`);
  const { alg } = decodeProtectedHeader(token);
  if (alg !== 'RS256') throw new Error(`${server.name}: access token is ${alg}, not RS256`);
  const origin = new URL(server.tokenUrl).origin;
  const discovery = (await (await fetch(`${origin}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
  const jwksUrl = new URL(discovery.jwks_uri);
  const jwks = (await (await fetch(`${origin}${jwksUrl.pathname}`)).json()) as JSONWebKeySet;
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { audience });
  return { alg, claims: Object.keys(payload), response };
}
