import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { tenantConfig } from '../store/tenant-config.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { preflight, withCorsHeaders } from './cors.ts';
import { errorResponse, type ErrorFormat } from './error-response.ts';
import { rateLimit, type RateLimitOptions } from './rate-limit.ts';
import { resolveRequestContext, type RequestContext } from './request-context.ts';
import type { ApiEvent, ApiResult } from './types.ts';

/**
 * What every endpoint receives: the event with lower-cased headers, the cached tenant
 * configuration and who is calling (issuer, end-user IP, certificate).
 */
export interface EndpointRequest {
  readonly event: ApiEvent;
  readonly tenant: TenantConfig;
  readonly context: RequestContext;
}

export type Endpoint = (request: EndpointRequest) => Promise<ApiResult>;

export interface EndpointOptions {
  readonly rateLimit: RateLimitOptions;
  /**
   * How errors are written: OAuth JSON (default), plain text (JWKS and /userinfo answer text,
   * §16.1), or an HTML error page (the hosted pages and /authorize when it cannot redirect).
   */
  readonly errorFormat?: ErrorFormat;
  /**
   * Browser SDKs call this endpoint cross-origin (shared/http/cors.ts): `OPTIONS` answers the
   * preflight, and answers to an allowed origin carry `Access-Control-Allow-Origin`. The
   * handler still checks the origin against its client (`assertOriginAllowed`).
   */
  readonly cors?: boolean;
}

/**
 * Wraps an endpoint with the middy stack every function shares: header normalisation,
 * Auth0-shaped errors (a 5xx only for our own faults), and rate limiting whose
 * `X-RateLimit-*` headers are on every answer, refusals and errors included.
 */
export function endpoint(handler: Endpoint, options: EndpointOptions) {
  const limiter = rateLimit(options.rateLimit);
  return middy<ApiEvent, ApiResult>()
    .use(httpHeaderNormalizer())
    .handler(async (event) => {
      let rateHeaders: Record<string, string> = {};
      let tenant: TenantConfig | undefined;
      const cors = (result: ApiResult) => (options.cors ? withCorsHeaders(result, event, tenant) : result);
      try {
        tenant = await tenantConfig();
        const context = resolveRequestContext(event, tenant);
        rateHeaders = await limiter(tenant);
        const result =
          options.cors && event.httpMethod === 'OPTIONS' ? preflight(event, tenant) : await handler({ event, tenant, context });
        // An endpoint's own bucket (per user, per IP…) reports its headers itself; they win.
        return cors({ ...result, headers: { ...rateHeaders, ...result.headers } });
      } catch (error) {
        const result = errorResponse(error, event, options.errorFormat ?? 'json', tenant?.settings.friendly_name);
        return cors({ ...result, headers: { ...rateHeaders, ...result.headers } });
      }
    });
}
