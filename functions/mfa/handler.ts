import { endpoint } from '#shared/http/endpoint';

/** STUB (owner: helper D): Lambda for the MFA API (infra/routes.ts), CORS-enabled. */
export const handler = endpoint(
  async () => {
    throw new Error('TODO(helper D): the MFA API');
  },
  { rateLimit: { buckets: [] }, cors: true },
);
