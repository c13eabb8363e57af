import { notFound } from '#shared/errors';
import { endpoint } from '#shared/http/endpoint';

/** STUB (owned by the tokens helper): GET and POST /userinfo. */
export const handler = endpoint(
  async () => {
    throw notFound('Not found');
  },
  { rateLimit: { buckets: [] } },
);
