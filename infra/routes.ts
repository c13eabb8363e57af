/**
 * The route table: which method and path reaches which function group, on which of the two
 * APIs. The CDK stack builds API Gateway resources from it and the local server dispatches
 * with it, so both expose exactly the same surface.
 *
 * `public` is the TLS-only custom domain (browsers, discovery); `mtls` is `mtls.<domain>`
 * with mutual TLS, advertised as `mtls_endpoint_aliases` (RFC 8705 §5, Auth0 §17). Browsers
 * must never reach an mTLS domain, so only token-type endpoints are mounted there.
 */
export type ApiName = 'public' | 'mtls';
export type HttpMethod = 'GET' | 'POST' | 'OPTIONS' | 'DELETE';

export interface FunctionGroup {
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly memoryMiB: number;
  /** DynamoDB actions per table, granted and nothing more (least privilege). */
  readonly tables: Partial<Record<'clients' | 'users' | 'codes' | 'rateLimits', readonly string[]>>;
  /** Whether the function reads the signing keyset. */
  readonly readsKeyset: boolean;
  readonly description: string;
}

export const functionGroups = {
  discovery: {
    entry: 'functions/discovery/handler.ts',
    memoryMiB: 512,
    tables: { clients: ['dynamodb:Query'], rateLimits: ['dynamodb:UpdateItem'] },
    readsKeyset: true,
    description: 'OpenID Connect discovery and the JWKS',
  },
  token: {
    entry: 'functions/token/handler.ts',
    memoryMiB: 1024,
    tables: {
      clients: ['dynamodb:Query'],
      codes: ['dynamodb:PutItem'],
      rateLimits: ['dynamodb:UpdateItem'],
    },
    readsKeyset: true,
    description: 'POST /oauth/token: client authentication and the grants',
  },
} as const satisfies Record<string, FunctionGroup>;

export type FunctionGroupName = keyof typeof functionGroups;

export interface Route {
  readonly method: HttpMethod;
  /** API Gateway resource path; `{name}` segments are path parameters. */
  readonly path: string;
  readonly fn: FunctionGroupName;
  readonly apis: readonly ApiName[];
}

export const routes: readonly Route[] = [
  { method: 'GET', path: '/.well-known/openid-configuration', fn: 'discovery', apis: ['public'] },
  { method: 'GET', path: '/.well-known/oauth-authorization-server', fn: 'discovery', apis: ['public'] },
  { method: 'GET', path: '/.well-known/jwks.json', fn: 'discovery', apis: ['public'] },
  { method: 'POST', path: '/oauth/token', fn: 'token', apis: ['public', 'mtls'] },
];

export function routesFor(api: ApiName): Route[] {
  return routes.filter((r) => r.apis.includes(api));
}
