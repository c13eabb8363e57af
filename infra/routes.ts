/**
 * The route table: which method and path reaches which function group, on which of the two
 * APIs. The CDK stack builds API Gateway resources from it and the local server dispatches
 * with it, so both expose exactly the same surface.
 *
 * `public` is the TLS-only custom domain (browsers, discovery); `mtls` is `mtls.<domain>`
 * with mutual TLS, advertised as `mtls_endpoint_aliases` (RFC 8705 §5, Auth0 §17). Browsers
 * must never reach an mTLS domain, so only token-type endpoints are mounted there.
 */
import type { TableId } from './tables.ts';

export type ApiName = 'public' | 'mtls';
export type HttpMethod = 'GET' | 'POST' | 'OPTIONS' | 'DELETE';

export interface FunctionGroup {
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly memoryMiB: number;
  /** DynamoDB actions per table, granted and nothing more (least privilege). */
  readonly tables: Partial<Record<TableId, readonly string[]>>;
  /** Whether the function reads the signing keyset. */
  readonly readsKeyset: boolean;
  /** Whether the function sends email (SES, from the tenant's sender identity only). */
  readonly sendsMail: boolean;
  /** Whether the function sends SMS (SNS direct publish to phone numbers, never to topics). */
  readonly sendsSms: boolean;
  /** What the function does with the secrets key (KMS on AWS): seal new TOTP seeds, open stored ones. */
  readonly secretsKey: readonly ('encrypt' | 'decrypt')[];
  /**
   * Whether the function digests or verifies one-time codes (passwordless codes, MFA OOB
   * binding codes: shared/crypto/code-digest.ts), and so reads the code MAC key secret.
   */
  readonly digestsCodes: boolean;
  readonly description: string;
}

export const functionGroups = {
  discovery: {
    entry: 'functions/discovery/handler.ts',
    memoryMiB: 512,
    tables: { clients: ['dynamodb:Query'], rateLimits: ['dynamodb:UpdateItem'] },
    readsKeyset: true,
    sendsMail: false,
    sendsSms: false,
    secretsKey: [],
    digestsCodes: false,
    description: 'OpenID Connect discovery and the JWKS',
  },
  token: {
    entry: 'functions/token/handler.ts',
    // argon2id (19 MiB per hash) for the password grants, RSA signing: the most CPU of any group.
    memoryMiB: 1024,
    tables: {
      clients: ['dynamodb:Query'],
      // PutItem: passwordless users are created at their first login (with their guard items).
      users: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      // GetItem, DeleteItem: passwordless codes and MFA OOB challenges are read and redeemed here.
      codes: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      refreshTokens: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      // The MFA grants: list a user's factors, confirm an enrolment, claim a TOTP step, swap a recovery code.
      authenticators: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      rateLimits: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    },
    readsKeyset: true,
    sendsMail: true,
    sendsSms: false,
    secretsKey: ['decrypt'],
    digestsCodes: true,
    description: 'POST /oauth/token (client authentication and the grants) and POST /oauth/revoke',
  },
  authorize: {
    entry: 'functions/authorize/handler.ts',
    memoryMiB: 1024,
    tables: {
      clients: ['dynamodb:Query'],
      users: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      codes: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
      sessions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      // The hosted MFA pages enrol, confirm, challenge and replace factors.
      authenticators: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      rateLimits: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    },
    readsKeyset: true,
    sendsMail: true,
    sendsSms: true,
    secretsKey: ['encrypt', 'decrypt'],
    digestsCodes: true,
    description: 'GET /authorize, GET /passwordless/verify_redirect and the hosted pages under /u/ (login, passwordless, MFA, signup, consent, password reset, unblock)',
  },
  dbconnections: {
    entry: 'functions/dbconnections/handler.ts',
    memoryMiB: 1024,
    tables: {
      clients: ['dynamodb:Query'],
      users: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      codes: ['dynamodb:PutItem'],
      rateLimits: ['dynamodb:UpdateItem'],
    },
    readsKeyset: false,
    sendsMail: true,
    sendsSms: false,
    secretsKey: [],
    digestsCodes: false,
    description: 'POST /dbconnections/signup and /dbconnections/change_password',
  },
  userinfo: {
    entry: 'functions/userinfo/handler.ts',
    memoryMiB: 512,
    tables: { clients: ['dynamodb:Query'], users: ['dynamodb:GetItem'], rateLimits: ['dynamodb:UpdateItem'] },
    readsKeyset: true,
    sendsMail: false,
    sendsSms: false,
    secretsKey: [],
    digestsCodes: false,
    description: 'GET and POST /userinfo',
  },
  logout: {
    entry: 'functions/logout/handler.ts',
    memoryMiB: 512,
    tables: { clients: ['dynamodb:Query'], sessions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], rateLimits: ['dynamodb:UpdateItem'] },
    readsKeyset: true,
    sendsMail: false,
    sendsSms: false,
    secretsKey: [],
    digestsCodes: false,
    description: 'GET /v2/logout, GET and POST /oidc/logout, and OIDC back-channel logout',
  },
  passwordless: {
    entry: 'functions/passwordless/handler.ts',
    memoryMiB: 512,
    tables: {
      clients: ['dynamodb:Query'],
      // Blocked users receive no codes.
      users: ['dynamodb:GetItem'],
      // Only the latest code is valid: each start overwrites the identity's code item.
      codes: ['dynamodb:PutItem'],
      rateLimits: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    },
    // No signing keys: this endpoint takes unauthenticated input and only digests codes, which
    // have their own MAC key (digestsCodes); client assertions (private_key_jwt) are verified
    // with the client's keys, and magic links carry the code, not a signature.
    readsKeyset: false,
    sendsMail: true,
    sendsSms: true,
    secretsKey: [],
    digestsCodes: true,
    description: 'POST /passwordless/start (email and SMS codes and magic links)',
  },
  mfa: {
    entry: 'functions/mfa/handler.ts',
    memoryMiB: 512,
    tables: {
      clients: ['dynamodb:Query'],
      users: ['dynamodb:GetItem'],
      codes: ['dynamodb:PutItem'],
      authenticators: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      rateLimits: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    },
    readsKeyset: true,
    sendsMail: true,
    sendsSms: true,
    secretsKey: ['encrypt'],
    digestsCodes: true,
    description: 'The MFA API: POST /mfa/associate, POST /mfa/challenge, GET /mfa/authenticators, DELETE /mfa/authenticators/{authenticator_id}',
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
  { method: 'OPTIONS', path: '/oauth/token', fn: 'token', apis: ['public'] },
  { method: 'POST', path: '/oauth/revoke', fn: 'token', apis: ['public', 'mtls'] },
  { method: 'OPTIONS', path: '/oauth/revoke', fn: 'token', apis: ['public'] },
  { method: 'GET', path: '/authorize', fn: 'authorize', apis: ['public'] },
  { method: 'GET', path: '/passwordless/verify_redirect', fn: 'authorize', apis: ['public'] },
  ...(['login', 'signup', 'consent', 'reset-password', 'login-passwordless', 'mfa-enrollment', 'mfa-challenge'] as const).flatMap((page) => [
    { method: 'GET' as const, path: `/u/${page}`, fn: 'authorize' as const, apis: ['public'] as const },
    { method: 'POST' as const, path: `/u/${page}`, fn: 'authorize' as const, apis: ['public'] as const },
  ]),
  { method: 'GET', path: '/u/unblock', fn: 'authorize', apis: ['public'] },
  { method: 'POST', path: '/dbconnections/signup', fn: 'dbconnections', apis: ['public'] },
  { method: 'OPTIONS', path: '/dbconnections/signup', fn: 'dbconnections', apis: ['public'] },
  { method: 'POST', path: '/dbconnections/change_password', fn: 'dbconnections', apis: ['public'] },
  { method: 'OPTIONS', path: '/dbconnections/change_password', fn: 'dbconnections', apis: ['public'] },
  { method: 'GET', path: '/userinfo', fn: 'userinfo', apis: ['public', 'mtls'] },
  { method: 'POST', path: '/userinfo', fn: 'userinfo', apis: ['public', 'mtls'] },
  { method: 'OPTIONS', path: '/userinfo', fn: 'userinfo', apis: ['public'] },
  { method: 'GET', path: '/v2/logout', fn: 'logout', apis: ['public'] },
  { method: 'GET', path: '/oidc/logout', fn: 'logout', apis: ['public'] },
  { method: 'POST', path: '/oidc/logout', fn: 'logout', apis: ['public'] },
  // Both authenticate the client, so confidential clients using mTLS reach them on the mTLS API.
  { method: 'POST', path: '/passwordless/start', fn: 'passwordless', apis: ['public', 'mtls'] },
  { method: 'OPTIONS', path: '/passwordless/start', fn: 'passwordless', apis: ['public'] },
  { method: 'POST', path: '/mfa/challenge', fn: 'mfa', apis: ['public', 'mtls'] },
  { method: 'OPTIONS', path: '/mfa/challenge', fn: 'mfa', apis: ['public'] },
  { method: 'POST', path: '/mfa/associate', fn: 'mfa', apis: ['public'] },
  { method: 'OPTIONS', path: '/mfa/associate', fn: 'mfa', apis: ['public'] },
  { method: 'GET', path: '/mfa/authenticators', fn: 'mfa', apis: ['public'] },
  { method: 'OPTIONS', path: '/mfa/authenticators', fn: 'mfa', apis: ['public'] },
  { method: 'DELETE', path: '/mfa/authenticators/{authenticator_id}', fn: 'mfa', apis: ['public'] },
  { method: 'OPTIONS', path: '/mfa/authenticators/{authenticator_id}', fn: 'mfa', apis: ['public'] },
];

export function routesFor(api: ApiName): Route[] {
  return routes.filter((r) => r.apis.includes(api));
}
