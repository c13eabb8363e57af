import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { tenantConfig } from '../store/tenant-config.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { errorResponse } from './error-response.ts';
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
  /** How errors are written: OAuth JSON (default) or plain text (JWKS answers text, §16.1). */
  readonly errorFormat?: 'json' | 'text';
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
      try {
        const tenant = await tenantConfig();
        const context = resolveRequestContext(event, tenant);
        rateHeaders = await limiter(tenant);
        const result = await handler({ event, tenant, context });
        return { ...result, headers: { ...result.headers, ...rateHeaders } };
      } catch (error) {
        const result = errorResponse(error, event, options.errorFormat ?? 'json');
        return { ...result, headers: { ...result.headers, ...rateHeaders } };
      }
    });
}
