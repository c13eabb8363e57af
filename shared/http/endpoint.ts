import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { tenantConfig } from '../store/tenant-config.ts';
import type { TenantConfig } from '../tenant/model.ts';
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
      let tenantName: string | undefined;
      try {
        const tenant = await tenantConfig();
        tenantName = tenant.settings.friendly_name;
        const context = resolveRequestContext(event, tenant);
        rateHeaders = await limiter(tenant);
        const result = await handler({ event, tenant, context });
        // An endpoint's own bucket (per user, per IP…) reports its headers itself; they win.
        return { ...result, headers: { ...rateHeaders, ...result.headers } };
      } catch (error) {
        const result = errorResponse(error, event, options.errorFormat ?? 'json', tenantName);
        return { ...result, headers: { ...rateHeaders, ...result.headers } };
      }
    });
}
