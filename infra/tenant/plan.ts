import { sha256Base64Url } from '../../shared/crypto/digest.ts';
import { isSupportedPasswordHash } from '../../shared/crypto/password.ts';
import {
  signingAlgs,
  type ClientGrantRecord,
  type ClientRecord,
  type ConnectionRecord,
  type CustomDomainRecord,
  type ResourceServerRecord,
  type TenantConfig,
  type TenantSettings,
} from '../../shared/tenant/model.ts';
import type { NewUser } from '../../shared/store/users.ts';
import { bucketDefaults } from '../../shared/rate-limit/policy.ts';
import { isObject, Problems, Reader } from './fields.ts';
import { planAttackProtection } from './plan-attack-protection.ts';
import { planConnection, passwordlessStrategies } from './plan-connection.ts';
import { planMfa } from './plan-mfa.ts';
import { planClient, urls } from './plan-client.ts';

/**
 * Turns a tenant file (Auth0 Deploy CLI YAML, parsed) into the records to store, or into the
 * full list of problems. Nothing here writes anything: an invalid file is refused whole.
 * Clients keep their id across re-applies by name, as the Deploy CLI matches them.
 */
export interface PlannedClient {
  readonly record: Omit<ClientRecord, 'client_secret_hash'>;
  /** The secret from the file, or one generated now (to be shown once), or none. */
  readonly secret: string | undefined;
  readonly secretGenerated: boolean;
  /** The stored hash to keep when the file has no secret and the client already has one. */
  readonly keepHash: string | undefined;
}

/**
 * A user to create: the stored shape with either a password still to be hashed or a hash
 * imported as it is (bcrypt from an Auth0 export, or argon2id), never both.
 */
export type PlannedUser = Omit<NewUser, 'password_hash'> &
  ({ readonly password: string; readonly password_hash?: undefined } | { readonly password_hash: string; readonly password?: undefined });

export interface TenantPlan {
  readonly settings: TenantSettings;
  readonly clients: readonly PlannedClient[];
  readonly resourceServers: readonly ResourceServerRecord[];
  readonly clientGrants: readonly ClientGrantRecord[];
  readonly connections: readonly ConnectionRecord[];
  readonly customDomains: readonly CustomDomainRecord[];
  readonly users: readonly PlannedUser[];
}

export class InvalidTenantFile extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The tenant file is invalid; nothing was applied:\n  - ${problems.join('\n  - ')}`);
  }
}

const hostPattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function planTenant(doc: unknown, existing: TenantConfig | undefined): TenantPlan {
  const problems = new Problems();
  if (!isObject(doc)) throw new InvalidTenantFile(['the file must be a YAML mapping']);
  const root = new Reader(doc, '', problems);
  const settings = planSettings(root, problems);
  const resourceServers = root.list('resourceServers').map(planResourceServer).filter((r) => r !== undefined);
  const clients = root.list('clients').map((c) => planClient(c, existing)).filter((c) => c !== undefined);
  unique(problems, 'clients', clients.map((c) => c.record.name), 'name');
  unique(problems, 'clients', clients.map((c) => c.record.client_id), 'client_id');
  unique(problems, 'resourceServers', resourceServers.map((r) => r.identifier), 'identifier');
  const clientId = (ref: string) => clients.find((c) => c.record.client_id === ref || c.record.name === ref)?.record.client_id;
  const clientGrants = root.list('clientGrants').map((g) => planClientGrant(g, clientId, resourceServers)).filter((g) => g !== undefined);
  const connections = root.list('connections').map((c) => planConnection(c, clientId)).filter((c) => c !== undefined);
  const customDomains = root.list('customDomains').map(planCustomDomain).filter((d) => d !== undefined);
  // Each of these becomes one item: a repeat would overwrite its twin, or fail a write batch half-way.
  unique(problems, 'clientGrants', clientGrants.map((g) => `${g.client_id} → ${g.audience}`), 'grant');
  unique(problems, 'connections', connections.map((c) => c.name), 'name');
  unique(problems, 'customDomains', customDomains.map((d) => d.domain.toLowerCase()), 'domain');
  const users = root.list('users').map((u) => planUser(u, connections)).filter((u) => u !== undefined);
  if (settings.default_audience && !resourceServers.some((r) => r.identifier === settings.default_audience)) {
    problems.add('tenant.default_audience', `names no resource server in this file (${settings.default_audience})`);
  }
  if (!problems.empty) throw new InvalidTenantFile(problems.list);
  return { settings, clients, resourceServers, clientGrants, connections, customDomains, users };
}

function unique(problems: Problems, list: string, values: string[], field: string): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) problems.add(list, `${field} ${v} appears more than once`);
    seen.add(v);
  }
}

/** The `tenant` fields read into TenantSettings; the rest is kept in `extra`. */
const knownSettings = new Set([
  'friendly_name', 'default_audience', 'default_directory', 'mtls', 'rate_limits',
  'allowed_logout_urls', 'session_lifetime', 'idle_session_lifetime', 'flags',
]);

function planSettings(root: Reader, problems: Problems): TenantSettings {
  const t = root.object('tenant');
  const attack_protection = planAttackProtection(root);
  const mfa = planMfa(root);
  if (!t) return { mtls: { enable_endpoint_aliases: false }, rate_limits: {}, attack_protection, ...(mfa ? { mfa } : {}), extra: {} };
  const rateLimits: Record<string, { burst: number; per_second: number }> = {};
  const rl = t.object('rate_limits');
  for (const name of Object.keys(rl?.obj ?? {})) {
    const bucket = rl?.object(name);
    if (!bucket) continue;
    // Auth0's endpoint buckets refill per minute (userinfo 5/min): `per_minute` says so in integers.
    const perMinute = bucket.obj.per_minute !== undefined ? bucket.integer('per_minute', { min: 1, max: 60_000_000, fallback: 1 }) : undefined;
    if (perMinute !== undefined && bucket.obj.per_second !== undefined) problems.add(bucket.at('per_minute'), 'and per_second are exclusive');
    rateLimits[name] = {
      burst: bucket.integer('burst', { min: 1, max: 1_000_000, fallback: 1 }),
      per_second: perMinute !== undefined ? perMinute / 60 : bucket.integer('per_second', { min: 1, max: 1_000_000, fallback: 1 }),
    };
  }
  const buckets = Object.keys(bucketDefaults);
  for (const name of Object.keys(rateLimits)) {
    if (!buckets.includes(name)) problems.add(`tenant.rate_limits.${name}`, `is not a known bucket (${buckets.join(', ')})`);
  }
  const extra = Object.fromEntries(Object.entries(t.obj).filter(([key]) => !knownSettings.has(key)));
  return {
    friendly_name: t.string('friendly_name'),
    default_audience: t.string('default_audience'),
    default_directory: t.string('default_directory'),
    mtls: { enable_endpoint_aliases: t.object('mtls')?.boolean('enable_endpoint_aliases', false) ?? false },
    rate_limits: rateLimits,
    allowed_logout_urls: urls(t, 'allowed_logout_urls', 'url'),
    // Hours, as Auth0's tenant settings: absolute 168 (7 days), idle 72 (3 days) by default.
    session_lifetime: t.integer('session_lifetime', { min: 1, max: 8_760, fallback: 168 }),
    idle_session_lifetime: t.integer('idle_session_lifetime', { min: 1, max: 8_760, fallback: 72 }),
    flags: { enable_public_signup_user_exists_error: t.object('flags')?.boolean('enable_public_signup_user_exists_error', false) ?? false },
    attack_protection,
    ...(mfa ? { mfa } : {}),
    extra,
  };
}

function planResourceServer(r: Reader): ResourceServerRecord | undefined {
  const identifier = r.string('identifier', { required: true, min: 1, max: 600 });
  const pop = r.object('proof_of_possession');
  const record: ResourceServerRecord = {
    identifier: identifier ?? '',
    name: r.string('name') ?? identifier ?? '',
    signing_alg: r.oneOf('signing_alg', signingAlgs, 'RS256') ?? 'RS256',
    token_lifetime: r.integer('token_lifetime', { min: 1, max: 2_592_000, fallback: 86_400 }),
    scopes: r.list('scopes').map((s) => s.string('value', { required: true, pattern: /^[\x21\x23-\x5B\x5D-\x7E]+$/ }) ?? ''),
    enforce_policies: r.boolean('enforce_policies', false),
    token_dialect:
      r.oneOf('token_dialect', ['access_token', 'access_token_authz', 'rfc9068_profile', 'rfc9068_profile_authz'] as const, 'access_token') ??
      'access_token',
    allow_offline_access: r.boolean('allow_offline_access', false),
    ...(pop ? { proof_of_possession: { mechanism: pop.oneOf('mechanism', ['mtls'] as const, 'mtls') ?? 'mtls', required: pop.boolean('required', false) } } : {}),
  };
  return identifier === undefined ? undefined : record;
}

function planClientGrant(
  g: Reader,
  clientId: (ref: string) => string | undefined,
  apis: readonly ResourceServerRecord[],
): ClientGrantRecord | undefined {
  const ref = g.string('client_id', { required: true });
  const audience = g.string('audience', { required: true });
  const scope = g.strings('scope') ?? [];
  if (ref === undefined || audience === undefined) return undefined;
  const id = clientId(ref);
  if (!id) g.problems.add(g.at('client_id'), `names no client in this file (${ref})`);
  const api = apis.find((a) => a.identifier === audience || a.name === audience);
  if (!api) g.problems.add(g.at('audience'), `names no resource server in this file (${audience})`);
  for (const s of scope) if (api && !api.scopes.includes(s)) g.problems.add(g.at('scope'), `${s} is not a scope of ${api.identifier}`);
  return id && api ? { client_id: id, audience: api.identifier, scope } : undefined;
}

function planCustomDomain(d: Reader): CustomDomainRecord | undefined {
  const domain = d.string('domain', { required: true, pattern: hostPattern });
  const type = d.oneOf('type', ['self_managed_certs', 'auth0_managed_certs'] as const, 'self_managed_certs') ?? 'self_managed_certs';
  const key = d.string('cname_api_key', { min: 16, max: 256 });
  if (type === 'self_managed_certs' && !key) d.problems.add(d.at('cname_api_key'), 'is required for self_managed_certs (the proxy sends it)');
  const header = d.string('custom_client_ip_header', { pattern: /^[A-Za-z0-9-]{1,64}$/ });
  return domain
    ? { domain, type, ...(key ? { cname_api_key_sha256: sha256Base64Url(key) } : {}), ...(header ? { custom_client_ip_header: header.toLowerCase() } : {}) }
    : undefined;
}

function planUser(u: Reader, connections: readonly ConnectionRecord[]): PlannedUser | undefined {
  const connection = u.string('connection', { required: true });
  const email = u.string('email', { required: true, pattern: /^[^\s@]+@[^\s@]+$/, max: 320 });
  const username = u.string('username', { pattern: /^[A-Za-z0-9_+\-.!#$^`~@']{1,128}$/ });
  const password = u.string('password', { min: 1, max: 1024 });
  const passwordHash = u.string('password_hash', { max: 512 });
  if (password !== undefined && passwordHash !== undefined) u.problems.add(u.at('password_hash'), 'cannot be given with password: give one of them');
  if (u.obj.password === undefined && u.obj.password_hash === undefined) u.problems.add(u.at('password'), 'is required (or password_hash)');
  if (passwordHash !== undefined && !isSupportedPasswordHash(passwordHash)) {
    u.problems.add(u.at('password_hash'), 'must be a bcrypt hash ($2a$, $2b$ or $2y$, cost 4 to 16) or an argon2id PHC string');
  }
  const target = connections.find((c) => c.name === connection);
  if (connection && !target) u.problems.add(u.at('connection'), `names no connection in this file (${connection})`);
  // Passwordless users have no password and other ids (email|…, sms|…): they sign up at their first login.
  if (target && (passwordlessStrategies as readonly string[]).includes(target.strategy)) {
    u.problems.add(u.at('connection'), `is a passwordless connection (${target.strategy}): users are imported into database connections only`);
  }
  const metadata = u.object('metadata')?.obj ?? u.object('user_metadata')?.obj ?? {};
  const appMetadata = u.object('app_metadata')?.obj ?? {};
  const secret = password !== undefined ? { password } : passwordHash !== undefined ? { password_hash: passwordHash } : undefined;
  if (!connection || !email || !secret) return undefined;
  return {
    connection,
    email: email.toLowerCase(),
    ...(username ? { username } : {}),
    ...secret,
    email_verified: u.boolean('email_verified', false),
    user_metadata: metadata,
    app_metadata: appMetadata,
  };
}
