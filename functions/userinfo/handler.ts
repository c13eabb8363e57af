import { endpoint } from '#shared/http/endpoint';
import { userinfoEndpoint } from './userinfo.ts';

/**
 * Lambda for GET and POST /userinfo (infra/routes.ts). Auth0 answers its errors and rate
 * limits in plain text (reference §1.4, §16.1), and browser SDKs call it cross-origin.
 */
export const handler = endpoint(userinfoEndpoint, { rateLimit: { buckets: [] }, errorFormat: 'text', cors: true });
