import { endpoint } from '#shared/http/endpoint';
import { tokenEndpoint } from './token-endpoint.ts';

/** Lambda for the token endpoint group (infra/routes.ts): only POST /oauth/token so far. */
export const handler = endpoint(tokenEndpoint, { rateLimit: { buckets: [] } });
