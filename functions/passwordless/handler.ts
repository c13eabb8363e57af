import { endpoint } from '#shared/http/endpoint';

/** STUB (owner: helper A): Lambda for POST /passwordless/start (infra/routes.ts), CORS-enabled for auth0.js. */
export const handler = endpoint(
  async () => {
    throw new Error('TODO(helper A): /passwordless/start');
  },
  { rateLimit: { buckets: [] }, cors: true },
);
