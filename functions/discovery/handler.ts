import { notFound } from '#shared/errors';
import { endpoint, type EndpointRequest } from '#shared/http/endpoint';
import { jwks } from './jwks.ts';
import { openidConfiguration } from './openid-configuration.ts';

/** Lambda for the discovery group (infra/routes.ts). Routes on `resource`, never on `path` (aws-notes §1). */
const documents = endpoint(async (request: EndpointRequest) => {
  const resource = request.event.resource;
  if (resource === '/.well-known/openid-configuration' || resource === '/.well-known/oauth-authorization-server') {
    return openidConfiguration(request);
  }
  throw notFound(`No such resource: ${resource}`);
}, { rateLimit: { buckets: [] } });

// Auth0 answers a rate-limited JWKS in plain text (§16.1) and gives it its own bucket (§16.3).
const keys = endpoint(jwks, { rateLimit: { buckets: ['jwks'] }, errorFormat: 'text' });

export const handler = (event: EndpointRequest['event'], context: import('aws-lambda').Context) =>
  event.resource === '/.well-known/jwks.json' ? keys(event, context) : documents(event, context);
