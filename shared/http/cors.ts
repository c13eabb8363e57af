import { accessDenied } from '../errors.ts';
import type { ClientRecord, TenantConfig } from '../tenant/model.ts';
import { httpOrigin } from './origins.ts';
import { json } from './responses.ts';
import type { ApiEvent, ApiResult } from './types.ts';

/**
 * CORS as Auth0 does it for browser SDKs (reference §1.2): /oauth/token, /oauth/revoke,
 * /userinfo and /dbconnections/* may be called cross-origin from an application's Allowed
 * Origins (CORS), Allowed Web Origins, or the origin of one of its callback URLs.
 *
 * A preflight carries no client_id, so it is answered for an origin that ANY client allows;
 * the actual request is then checked against the one client it names (`assertOriginAllowed`,
 * called by each endpoint before it changes anything). Answers to allowed origins — errors
 * included, so a browser app can read why it was refused — carry `Access-Control-Allow-Origin`;
 * others carry none, so the browser hides the answer from the page.
 */
export const corsDefaults = {
  methods: 'GET, POST, OPTIONS',
  /** What Auth0's browser SDKs send: auth0-spa-js adds `Auth0-Client` and, with DPoP, `DPoP`. */
  headers: 'Authorization, Content-Type, Auth0-Client, DPoP',
  /** What they read: the Bearer challenge, DPoP nonces, rate-limit state. */
  expose: 'WWW-Authenticate, DPoP-Nonce, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset',
  /** Seconds a browser may cache a preflight; short, so a removed origin stops working soon. */
  maxAge: 600,
};

const originsByTenant = new WeakMap<TenantConfig, ReadonlySet<string>>();

/** Every origin some client allows (the tenant configuration is cached, and so is this). */
function tenantOrigins(tenant: TenantConfig): ReadonlySet<string> {
  let origins = originsByTenant.get(tenant);
  if (!origins) {
    const all = new Set<string>();
    for (const client of tenant.clients.values()) for (const origin of clientOrigins(client)) all.add(origin);
    originsByTenant.set(tenant, (origins = all));
  }
  return origins;
}

/**
 * A client's CORS origins: Allowed Origins (CORS), Allowed Web Origins, and the origins of
 * its Allowed Callback URLs, which Auth0 allows too ("If you have not already added it to
 * the Allowed Callback URLs for your application, you will need to add it to the Allowed
 * Origins (CORS) list", Auth0's set-up-cors guide). Cached per client record.
 */
const originsByClient = new WeakMap<ClientRecord, readonly string[]>();
function clientOrigins(client: ClientRecord): readonly string[] {
  let origins = originsByClient.get(client);
  if (!origins) {
    const fromCallbacks = client.callbacks.flatMap((url) => httpOrigin(url) ?? []);
    originsByClient.set(client, (origins = [...new Set([...client.allowed_origins, ...client.web_origins, ...fromCallbacks])]));
  }
  return origins;
}

function requestOrigin(event: ApiEvent): string | undefined {
  const origin = event.headers?.['origin'];
  return origin === undefined || origin === '' ? undefined : origin;
}

export function isOriginAllowedForClient(origin: string, client: ClientRecord): boolean {
  return clientOrigins(client).includes(origin);
}

/**
 * Refuses a browser request from an origin the client does not allow — or, when the request
 * names no (known) client, that no client of the tenant allows: 403 `access_denied`, before
 * anything changes. A form post from another site is a "simple" request no preflight stops,
 * so this check is what keeps such pages out. A request without `Origin` (a server, a native
 * app) is not a CORS request and passes.
 */
export function assertOriginAllowed(event: ApiEvent, client: ClientRecord | undefined, tenant: TenantConfig): void {
  const origin = requestOrigin(event);
  if (origin === undefined) return;
  if (client ? isOriginAllowedForClient(origin, client) : tenantOrigins(tenant).has(origin)) return;
  throw accessDenied('Origin not allowed', { detail: `origin ${origin} is not an allowed origin of ${client?.client_id ?? 'any client'}` });
}

/**
 * The answer to `OPTIONS`: a CORS preflight from an allowed origin gets 204 with the
 * `Access-Control-*` headers; from any other origin 403 without them. An `OPTIONS` that is
 * no preflight (no `Origin`) just learns the methods (RFC 9110 §9.3.7).
 */
export function preflight(event: ApiEvent, tenant: TenantConfig): ApiResult {
  const origin = requestOrigin(event);
  if (origin === undefined) return { statusCode: 204, headers: { Allow: corsDefaults.methods }, body: '' };
  if (!tenantOrigins(tenant).has(origin)) {
    return json(403, { error: 'access_denied', error_description: 'Origin not allowed' }, { Vary: 'Origin' });
  }
  return {
    statusCode: 204,
    headers: {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': corsDefaults.methods,
      'Access-Control-Allow-Headers': corsDefaults.headers,
      'Access-Control-Max-Age': String(corsDefaults.maxAge),
      Vary: 'Origin',
    },
    body: '',
  };
}

/** Adds the CORS headers to an actual answer (success or error). */
export function withCorsHeaders(result: ApiResult, event: ApiEvent, tenant: TenantConfig | undefined): ApiResult {
  const headers: Record<string, string | number | boolean> = { ...result.headers };
  // The answer depends on Origin whenever CORS is in play, so caches must key on it.
  const vary = headers['Vary'];
  headers['Vary'] = vary === undefined || vary === '' ? 'Origin' : String(vary).split(/\s*,\s*/).includes('Origin') ? vary : `${vary}, Origin`;
  const origin = requestOrigin(event);
  if (origin !== undefined && tenant && tenantOrigins(tenant).has(origin) && event.httpMethod !== 'OPTIONS') {
    headers['Access-Control-Allow-Origin'] = origin;
    headers['Access-Control-Expose-Headers'] = corsDefaults.expose;
  }
  return { ...result, headers };
}
