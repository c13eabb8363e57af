/**
 * The peer for `npm run bench`: node-oidc-provider (panva/node-oidc-provider) configured to
 * issue RS256 JWT access tokens for one resource server, as Portcullis does. Resource
 * indicators with one resource server, the M2M client (client_credentials) and, with `web`,
 *  - two web clients (client_secret_post, the refresh grant): `<web>` does not rotate refresh
 *    tokens (`rotateRefreshToken` false for it), `<web>-rotating` does (true for it).
 *
 * Storage (`store`):
 *  - `memory` (default): the provider's memory adapter (for the refresh benchmark over an LRU
 *    with room for a whole run, see below), the stock development `findAccount`;
 *  - `dynamodb`: its own DynamoDB Local, started the way `npm start` starts Portcullis's
 *    (infra/local/dynamodb-local.ts: in memory, same JVM options, a child of this process so
 *    its CPU counts as this server's), one table written by bench/peer-dynamodb-adapter.mjs,
 *    and a `findAccount` that reads the account from that table (strongly consistent GetItem),
 *    as Portcullis reads its user on every refresh. Each DynamoDB command is counted by name,
 *    and the successful token responses (`token responses`); on SIGUSR2 the counts so far are
 *    printed as `ddb-commands <n> <json>` (n: the how-many-th such line), so the bench can take
 *    commands per request of a measured run.
 *
 * For the refresh benchmark, it mints refresh tokens itself at start-up through its own models
 * (a Grant with `openid offline_access` and the resource's scope, then a RefreshToken of that
 * grant, as its authorization_code grant would save them) and writes them to `tokensFile`
 * (mode 0600): one for the non-rotating client, `rotating` for the rotating one, each in its
 * own grant (a rotated token reused revokes its whole grant).
 *
 * Usage: node bench/peer-oidc-provider.mjs '<json: {port, clientId, clientSecret, store?: memory|dynamodb, web?: {clientId,
 *        clientSecret, callback, tokensFile, rotating}}>'
 * Prints `listening <port>` once ready (and the tokens are written). Loopback only.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';

// Silence the provider's start-up notices (development adapter/keys warnings): the brief
// asks for no logging, and nothing is written per request anyway.
console.warn = () => {};
console.info = () => {};

const { default: Provider } = await import('oidc-provider');
// The default memory adapter keeps its entries in an LRU of 1,000: under the refresh
// benchmark, which saves a token per rotation, the minted grants are evicted within a second
// and every refresh then fails ("grant request is invalid"). The same adapter class over the
// same LRU class, with room for everything a run saves.
const { default: MemoryAdapter } = await import('oidc-provider/lib/adapters/memory_adapter.js');
const { default: LRU } = await import('oidc-provider/lib/helpers/lru.js');
const store = new LRU({ maxSize: 50_000_000 });

const spec = JSON.parse(process.argv[2] ?? '{}');
const { port, clientId, clientSecret, web, store: storeKind = 'memory' } = spec;
if (!Number.isInteger(port) || !clientId || !clientSecret || !['memory', 'dynamodb'].includes(storeKind)) {
  process.stderr.write('usage: peer-oidc-provider.mjs \'{"port":N,"clientId":"…","clientSecret":"…","store":"memory|dynamodb"}\'\n');
  process.exit(2);
}
const accountId = 'bench-user';
const database = storeKind === 'dynamodb' ? await startDatabase() : undefined;

/** DynamoDB Local, the table, the account item, the document client (with the command counter) and the adapter. */
async function startDatabase() {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient, GetCommand, PutCommand } = await import('@aws-sdk/lib-dynamodb');
  // Node 24 strips the types of this .ts module itself: the very launcher `npm start` uses.
  const { startDynamoDbLocal } = await import('../infra/local/dynamodb-local.ts');
  const { createPeerTable, dynamoDbAdapter } = await import('./peer-dynamodb-adapter.mjs');
  const dataDir = await mkdtemp(join(tmpdir(), 'portcullis-bench-peer-ddb-'));
  const local = await startDynamoDbLocal({ inMemory: true, dataDir });
  // The SDK's defaults otherwise, as Portcullis's client (shared/store/ddb.ts) has them.
  const raw = new DynamoDBClient({ endpoint: local.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const counts = {};
  doc.middlewareStack.add(
    (next, context) => (args) => {
      counts[context.commandName] = (counts[context.commandName] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCommandCounter' },
  );
  let reports = 0;
  // With the token responses given so far (`grant.success`, counted below): both taken at one
  // moment, so requests in flight at the edges of a measured run skew neither.
  process.on('SIGUSR2', () => process.stdout.write(`ddb-commands ${++reports} ${JSON.stringify(counts)}\n`));
  const table = 'nop-oidc';
  await createPeerTable(raw, table);
  await doc.send(new PutCommand({ TableName: table, Item: { pk: `Account#${accountId}`, email: 'bench-user@example.com', email_verified: true } }));
  return {
    counts,
    adapter: dynamoDbAdapter(doc, table),
    /** The account as a production `findAccount` would load it: from the database, on every grant. */
    async findAccount(ctx, sub) {
      const out = await doc.send(new GetCommand({ TableName: table, Key: { pk: `Account#${sub}` }, ConsistentRead: true }));
      if (!out.Item) return undefined;
      const { email, email_verified } = out.Item;
      return { accountId: sub, claims: async () => ({ sub, email, email_verified }) };
    },
    stop: async () => {
      await local.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const audience = 'https://api.bench/';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
const resourceServer = { scope: 'read:messages', audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
const rotatingClientId = web ? `${web.clientId}-rotating` : undefined;

const webClient = (id) => ({
  client_id: id,
  client_secret: web.clientSecret,
  grant_types: ['authorization_code', 'refresh_token'],
  redirect_uris: [web.callback],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
});

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_post',
    },
    ...(web ? [webClient(web.clientId), webClient(rotatingClientId)] : []),
  ],
  // Only for the refresh benchmark: the client_credentials figures keep the stock adapter.
  ...(database ? { adapter: database.adapter, findAccount: database.findAccount } : web ? { adapter: (model) => new MemoryAdapter(model, store) } : {}),
  jwks: { keys: [jwk] },
  // Same path as Portcullis (Auth0's), so both get the very same request line.
  routes: { token: '/oauth/token' },
  // Per client, as Portcullis's `refresh_token.rotation_type`.
  rotateRefreshToken: (ctx) => ctx.oidc.client.clientId === rotatingClientId,
  features: {
    // Production setting: no development-only interaction pages.
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      getResourceServerInfo: () => resourceServer,
      useGrantedResource: () => true,
    },
  },
});
// Koa's default error printer off (no logging); errors still count as non-2xx answers.
provider.silent = true;
if (database) provider.on('grant.success', () => (database.counts['token responses'] = (database.counts['token responses'] ?? 0) + 1));

/** A refresh token as node-oidc-provider's authorization_code grant saves one, in a grant of its own. */
async function mintRefreshToken(forClient) {
  const client = await provider.Client.find(forClient);
  const grant = new provider.Grant({ accountId, clientId: forClient });
  grant.addOIDCScope('openid offline_access');
  grant.addResourceScope(audience, 'read:messages');
  const grantId = await grant.save();
  const token = new provider.RefreshToken({
    accountId,
    client,
    grantId,
    gty: 'authorization_code',
    authTime: Math.floor(Date.now() / 1000),
    scope: 'openid offline_access read:messages',
    resource: audience,
    rotations: 0,
  });
  return token.save();
}

if (web) {
  const tokens = { nonRotating: await mintRefreshToken(web.clientId), rotating: [] };
  for (let i = 0; i < web.rotating; i++) tokens.rotating.push(await mintRefreshToken(rotatingClientId));
  await writeFile(web.tokensFile, JSON.stringify(tokens), { mode: 0o600 });
}

const server = provider.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
const stop = () => server.close(async () => {
  await database?.stop();
  process.exit(0);
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
