/**
 * The peer for `npm run bench`: node-oidc-provider (panva/node-oidc-provider) configured to
 * issue RS256 JWT access tokens for one resource server, as Portcullis does. Memory adapter
 * (for the refresh benchmark with room for a whole run, see below), resource indicators with
 * one resource server, the M2M client (client_credentials) and, with `web`,
 *  - two web clients (client_secret_post, the refresh grant): `<web>` does not rotate refresh
 *    tokens (`rotateRefreshToken` false for it), `<web>-rotating` does (true for it).
 *
 * For the refresh benchmark, it mints refresh tokens itself at start-up through its own models
 * (a Grant with `openid offline_access` and the resource's scope, then a RefreshToken of that
 * grant, as its authorization_code grant would save them) and writes them to `tokensFile`
 * (mode 0600): one for the non-rotating client, `rotating` for the rotating one, each in its
 * own grant (a rotated token reused revokes its whole grant).
 *
 * Usage: node bench/peer-oidc-provider.mjs '<json: {port, clientId, clientSecret, web?: {clientId,
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
const { port, clientId, clientSecret, web } = spec;
if (!Number.isInteger(port) || !clientId || !clientSecret) {
  process.stderr.write('usage: peer-oidc-provider.mjs \'{"port":N,"clientId":"…","clientSecret":"…"}\'\n');
  process.exit(2);
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
  ...(web ? { adapter: (model) => new MemoryAdapter(model, store) } : {}),
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

/** A refresh token as node-oidc-provider's authorization_code grant saves one, in a grant of its own. */
async function mintRefreshToken(forClient) {
  const client = await provider.Client.find(forClient);
  const accountId = 'bench-user';
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
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
