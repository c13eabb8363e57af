import { notFound } from '#shared/errors';
import { endpoint } from '#shared/http/endpoint';

/** STUB (owned by the users/dbconnections helper): POST /dbconnections/signup and /change_password. */
export const handler = endpoint(
  async () => {
    throw notFound('Not found');
  },
  { rateLimit: { buckets: [] } },
);
