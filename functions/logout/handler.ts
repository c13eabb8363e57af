import { notFound } from '#shared/errors';
import { endpoint } from '#shared/http/endpoint';

/** STUB (owned by the logout helper): /v2/logout, /oidc/logout. */
export const handler = endpoint(
  async () => {
    throw notFound('Not found');
  },
  { rateLimit: { buckets: [] } },
);
