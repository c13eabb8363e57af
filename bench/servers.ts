import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
  readonly tokenUrl: string;
  readonly body: string;
  readonly child: Child;
  stop(): Promise<void>;
}

export const audience = 'https://api.bench/';
const root = new URL('../', import.meta.url).pathname;
const clientId = 'bench-m2m';
const clientSecret = `bench-${randomBytes(24).toString('base64url')}`;

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** The bench tenant: one M2M client with a grant on one RS256 API, and a global rate limit high enough not to refuse. */
export function benchTenant(): Record<string, unknown> {
  return {
    tenant: {
      friendly_name: 'Portcullis bench',
      // Auth0's default (100/s) would throttle the run; every request still draws from the
      // bucket in DynamoDB (leased), it just is not refused.
      rate_limits: { global: { burst: 100_000, per_second: 100_000 } },
    },
    resourceServers: [{ name: 'Bench API', identifier: audience, signing_alg: 'RS256', scopes: [{ value: 'read:messages' }] }],
    clients: [
      {
        name: 'bench',
        app_type: 'non_interactive',
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    clientGrants: [{ client_id: 'bench', audience, scope: ['read:messages'] }],
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
    tokenUrl: `${base}/oauth/token`,
    body: form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience }),
    child,
    stop: async () => {
      await child.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startPeer(): Promise<ServerUnderTest> {
  const port = await freePort();
  // NODE_ENV=production: Koa's and the provider's production behaviour (no error details).
  const child = startChild(process.execPath, ['bench/peer-oidc-provider.mjs', String(port), clientId, clientSecret], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${base}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(1000) })).status === 200, child, 'node-oidc-provider');
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    name: 'node-oidc-provider',
    tokenUrl: `${base}/oauth/token`,
    body: form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, resource: audience }),
    child,
    stop: () => child.stop(),
  };
}

/**
 * One request before measuring: a 200 whose `access_token` is an RS256 JWT that verifies
 * against the server's own JWKS (from its discovery document) with the bench audience.
 */
export async function checkSample(server: ServerUnderTest): Promise<{ alg: string; claims: string[] }> {
  const res = await fetch(server.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: server.body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${server.name}: sample request answered ${res.status}: ${text}`);
  const token = (JSON.parse(text) as { access_token?: string }).access_token;
  if (!token || token.split('.').length !== 3) throw new Error(`${server.name}: sample response has no JWT access_token: ${text}`);
  const { alg } = decodeProtectedHeader(token);
  if (alg !== 'RS256') throw new Error(`${server.name}: access token is ${alg}, not RS256`);
  const origin = new URL(server.tokenUrl).origin;
  const discovery = (await (await fetch(`${origin}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
  const jwksUrl = new URL(discovery.jwks_uri);
  const jwks = (await (await fetch(`${origin}${jwksUrl.pathname}`)).json()) as JSONWebKeySet;
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { audience });
  return { alg, claims: Object.keys(payload) };
}
