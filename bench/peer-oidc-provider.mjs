/**
 * The peer for `npm run bench`: node-oidc-provider (panva/node-oidc-provider) configured to
 * issue RS256 JWT access tokens for client_credentials, as Portcullis does. Default memory
 * adapter, one confidential client, resource indicators with one resource server.
 *
 * Usage: node bench/peer-oidc-provider.mjs <port> <client_id> <client_secret>
 * Prints `listening <port>` once ready. Loopback only.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';

// Silence the provider's start-up notices (development adapter/keys warnings): the brief
// asks for no logging, and nothing is written per request anyway.
console.warn = () => {};
console.info = () => {};

const { default: Provider } = await import('oidc-provider');

const [portArg, clientId, clientSecret] = process.argv.slice(2);
const port = Number(portArg);
if (!Number.isInteger(port) || !clientId || !clientSecret) {
  process.stderr.write('usage: peer-oidc-provider.mjs <port> <client_id> <client_secret>\n');
  process.exit(2);
}

const audience = 'https://api.bench/';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
const resourceServer = { scope: 'read:messages', audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };

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
  ],
  jwks: { keys: [jwk] },
  // Same path as Portcullis (Auth0's), so both get the very same request line.
  routes: { token: '/oauth/token' },
  features: {
    // Production setting: no development-only interaction pages.
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      getResourceServerInfo: () => resourceServer,
    },
  },
});
// Koa's default error printer off (no logging); errors still count as non-2xx answers.
provider.silent = true;

const server = provider.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
