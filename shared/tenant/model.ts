/**
 * The tenant configuration as stored in the clients table and cached by every function.
 * Field names are Auth0's (Deploy CLI / Management API), so a tenant file reads like an
 * `a0deploy export`. Secrets are stored only as hashes.
 */
export type SigningAlg = 'RS256' | 'ES256' | 'PS256';
export const signingAlgs: readonly SigningAlg[] = ['RS256', 'ES256', 'PS256'];

/** Algorithms accepted for private_key_jwt client assertions (reference §1.3). */
export const assertionAlgs = ['RS256', 'RS384', 'PS256', 'PS384', 'ES256', 'ES384'] as const;
export type AssertionAlg = (typeof assertionAlgs)[number];

export type SecretAuthMethod = 'none' | 'client_secret_post' | 'client_secret_basic';

export interface PrivateKeyJwtCredential {
  readonly id: string;
  readonly alg: AssertionAlg;
  /** SPKI PEM of the client's public key. */
  readonly pem: string;
}

export interface ClientRecord {
  readonly client_id: string;
  readonly name: string;
  readonly app_type?: string;
  readonly is_first_party: boolean;
  readonly grant_types: readonly string[];
  /** Absent when the client authenticates with one of `client_authentication_methods`. */
  readonly token_endpoint_auth_method?: SecretAuthMethod;
  /** argon2id PHC string of the client secret. */
  readonly client_secret_hash?: string;
  readonly client_authentication_methods?: {
    readonly private_key_jwt?: { readonly credentials: readonly PrivateKeyJwtCredential[] };
    /** Subject DNs in canonical form (see shared/client-auth/distinguished-name.ts). */
    readonly tls_client_auth?: { readonly credentials: readonly { readonly subject_dn: string }[] };
    /** base64url SHA-256 thumbprints of the registered self-signed certificates. */
    readonly self_signed_tls_client_auth?: { readonly credentials: readonly { readonly x5t_s256: string }[] };
  };
  readonly require_proof_of_possession: boolean;
  readonly is_token_endpoint_ip_header_trusted: boolean;
  /** Every other field of the tenant file entry, kept for the endpoints that need it later. */
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface ResourceServerRecord {
  readonly identifier: string;
  readonly name: string;
  readonly signing_alg: SigningAlg;
  readonly token_lifetime: number;
  readonly scopes: readonly string[];
  readonly enforce_policies: boolean;
  readonly token_dialect: 'access_token' | 'access_token_authz' | 'rfc9068_profile' | 'rfc9068_profile_authz';
  readonly allow_offline_access: boolean;
  readonly proof_of_possession?: { readonly mechanism: 'mtls'; readonly required: boolean };
}

export interface ClientGrantRecord {
  readonly client_id: string;
  readonly audience: string;
  readonly scope: readonly string[];
}

export interface ConnectionRecord {
  readonly name: string;
  readonly strategy: string;
  readonly enabled_clients: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
}

export interface CustomDomainRecord {
  readonly domain: string;
  readonly type: 'self_managed_certs' | 'auth0_managed_certs';
  /** base64url SHA-256 of the key the proxy sends in `cname-api-key`. */
  readonly cname_api_key_sha256?: string;
  /** Header carrying the end-user IP instead of X-Forwarded-For (e.g. `true-client-ip`). */
  readonly custom_client_ip_header?: string;
}

export interface RateLimitSetting {
  readonly burst: number;
  readonly per_second: number;
}

export interface TenantSettings {
  readonly friendly_name?: string;
  readonly default_audience?: string;
  readonly default_directory?: string;
  readonly mtls: { readonly enable_endpoint_aliases: boolean };
  /** Portcullis extension: overrides of the rate-limit buckets (shared/rate-limit/policy.ts). */
  readonly rate_limits: Readonly<Record<string, RateLimitSetting>>;
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface TenantConfig {
  readonly settings: TenantSettings;
  readonly clients: ReadonlyMap<string, ClientRecord>;
  readonly resourceServers: ReadonlyMap<string, ResourceServerRecord>;
  /** Keyed by `clientGrantKey(client_id, audience)`. */
  readonly clientGrants: ReadonlyMap<string, ClientGrantRecord>;
  readonly connections: ReadonlyMap<string, ConnectionRecord>;
  /** Keyed by lower-case domain. */
  readonly customDomains: ReadonlyMap<string, CustomDomainRecord>;
}

export const clientGrantKey = (clientId: string, audience: string) => `${clientId}\n${audience}`;

/** Sort keys of the items in the clients table's single `config` partition. */
export const configItemKey = {
  settings: () => 'settings',
  client: (id: string) => `client#${id}`,
  resourceServer: (identifier: string) => `api#${identifier}`,
  clientGrant: (clientId: string, audience: string) => `grant#${clientId}#${audience}`,
  connection: (name: string) => `connection#${name}`,
  customDomain: (domain: string) => `domain#${domain.toLowerCase()}`,
} as const;

export const CONFIG_PARTITION = 'config';
