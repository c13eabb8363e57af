import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tables } from '../tables.ts';
import { ensureLocalKeyset } from '../keys/local-keyset.ts';
import { ensureLocalSecretsKey } from '../keys/local-secrets-key.ts';
import { applyTenant, type ApplyReport } from '../tenant/apply.ts';
import { InvalidTenantFile } from '../tenant/plan.ts';
import { readTenantFile } from '../tenant/read-file.ts';
import { parseLocalArgs, usage, UsageError, type LocalOptions } from './args.ts';
import { createLocalTables } from './create-tables.ts';
import { demoAppOrigins, demoAudience, demoCredentials, demoTenant, type DemoCredentials } from './demo-tenant.ts';
import { JavaMissing, startDynamoDbLocal, type RunningDynamoDb } from './dynamodb-local.ts';
import { printBanner } from './banner.ts';
import { createHttpListener, createMtlsListener, loadHandlers } from './server.ts';

/**
 * `npm start`: the whole API on this machine, on DynamoDB Local, with the real handlers.
 * Ready when discovery answers; SIGINT/SIGTERM stop the server and the database it started.
 */
async function main(): Promise<void> {
  const options = parseLocalArgs(process.argv.slice(2));
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });

  const database = process.env.DYNAMODB_ENDPOINT
    ? { endpoint: process.env.DYNAMODB_ENDPOINT, stop: async () => {} }
    : await startDynamoDbLocal({ inMemory: options.inMemory, dataDir });
  const scratch = options.inMemory ? await mkdtemp(join(tmpdir(), 'portcullis-')) : undefined;
  const cleanup = async () => {
    await database.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  };
  try {
    const servers = await startServing(options, dataDir, database, scratch);
    onSignal(servers, cleanup);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function startServing(options: LocalOptions, dataDir: string, database: RunningDynamoDb, scratch: string | undefined): Promise<Server[]> {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: database.endpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  const raw = new DynamoDBClient({ endpoint: database.endpoint });
  const names = await createLocalTables(raw, process.env.PORTCULLIS_TABLE_PREFIX || 'portcullis');
  for (const table of tables) process.env[table.envVar] = names[table.id];

  const keysetFile = join(scratch ?? dataDir, 'keyset.json');
  await ensureLocalKeyset(keysetFile);
  const secretsKeyFile = join(scratch ?? dataDir, 'secrets-key.json');
  await ensureLocalSecretsKey(secretsKeyFile);
  process.env.ISSUER = options.issuer;
  process.env.KEYSET_FILE = keysetFile;
  process.env.SECRETS_KEY_FILE = secretsKeyFile;
  // Emails and SMS (password reset, unblock, passwordless, MFA codes) are appended here and printed.
  process.env.OUTBOX_FILE = join(dataDir, 'outbox.jsonl');
  if (options.mtls) process.env.MTLS_BASE_URL = `https://${new URL(options.issuer).hostname}:${options.mtls.port}/`;

  let demo: DemoCredentials | undefined;
  let doc: unknown;
  if (options.tenantFile) doc = await readTenantFile(options.tenantFile);
  else doc = demoTenant((demo = await demoCredentials(dataDir, options.inMemory)));
  const report: ApplyReport = await applyTenant(doc, {
    client: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    clientsTable: names.clients,
    usersTable: names.users,
  });

  const handlers = await loadHandlers();
  const servers = [await listen(createHttpListener(handlers), options.port)];
  let mtlsPort: number | undefined;
  if (options.mtls) {
    const [cert, key, ca] = await Promise.all([options.mtls.cert, options.mtls.key, options.mtls.truststore].map((f) => readFile(f, 'utf8')));
    const server = await listen(createMtlsListener(handlers, { cert: cert!, key: key!, ca: ca! }), options.mtls.port);
    servers.push(server);
    mtlsPort = portOf(server);
  }
  printBanner({ port: portOf(servers[0]!), mtlsPort, issuer: options.issuer, dataDir, inMemory: options.inMemory, report, demo, demoAudience, demoAppOrigin: demoAppOrigins[0]! });
  return servers;
}

function listen(server: Server, port: number): Promise<Server> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolveListen(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function onSignal(servers: Server[], cleanup: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping\n`);
    // Everything must be gone within 5 s (issue 2 §2); force the exit well before that.
    setTimeout(() => process.exit(0), 4_000).unref();
    for (const server of servers) {
      server.close();
      server.closeAllConnections();
    }
    cleanup().finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    if (error.message) process.stderr.write(`${error.message}\n`);
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  if (error instanceof JavaMissing || error instanceof InvalidTenantFile) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (error as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
  process.stderr.write(`Portcullis failed to start: ${(error as Error)?.stack ?? error}\n`);
  process.exit(1);
});
