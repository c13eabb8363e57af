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
  /** Allowed Callback URLs: `redirect_uri` must equal one exactly (reference §2.1). */
  readonly callbacks: readonly string[];
  /** Allowed Origins (CORS) for XHR calls from browsers. */
  readonly allowed_origins: readonly string[];
  /** Allowed Web Origins: CORS too, and the origins `response_mode=web_message` may post to. */
  readonly web_origins: readonly string[];
  /** Allowed Logout URLs for `returnTo` / `post_logout_redirect_uri` (reference §5). */
  readonly allowed_logout_urls: readonly string[];
  /** ID-token signing algorithm and lifetime (Auth0 default RS256, 36,000 s). */
  readonly jwt_configuration: { readonly alg: SigningAlg; readonly lifetime_in_seconds: number };
  readonly refresh_token: RefreshTokenSettings;
  /** OIDC back-channel logout URIs (Auth0 `oidc_logout.backchannel_logout_urls`). */
  readonly backchannel_logout_urls: readonly string[];
  /** Every other field of the tenant file entry, kept for the endpoints that need it later. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** A client's `refresh_token` settings, as Auth0 names them (reference §3.5). */
export interface RefreshTokenSettings {
  readonly rotation_type: 'rotating' | 'non-rotating';
  readonly expiration_type: 'expiring' | 'non-expiring';
  /** Seconds during which the previous token of a rotating family may be used again. */
  readonly leeway: number;
  /** Absolute lifetime in seconds, fixed at issuance (not extended by rotation). */
  readonly token_lifetime: number;
  readonly infinite_token_lifetime: boolean;
  /** Idle lifetime in seconds, reset by each exchange. */
  readonly idle_token_lifetime: number;
  readonly infinite_idle_token_lifetime: boolean;
}

/**
 * The defaults of the fields added after a tenant could first be applied, so a stored client
 * from an older apply reads as Auth0 would treat it (shared/store/tenant-config.ts fills them).
 */
export const clientDefaults: Pick<
  ClientRecord,
  'callbacks' | 'allowed_origins' | 'web_origins' | 'allowed_logout_urls' | 'jwt_configuration' | 'refresh_token' | 'backchannel_logout_urls'
> = {
  callbacks: [],
  allowed_origins: [],
  web_origins: [],
  allowed_logout_urls: [],
  jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 36_000 },
  refresh_token: {
    rotation_type: 'non-rotating',
    expiration_type: 'non-expiring',
    leeway: 0,
    token_lifetime: 2_592_000,
    infinite_token_lifetime: true,
    idle_token_lifetime: 2_592_000,
    infinite_idle_token_lifetime: true,
  },
  backchannel_logout_urls: [],
};

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
  /** The tenant's Allowed Logout URLs, used when no client is named (reference §5.1). */
  readonly allowed_logout_urls?: readonly string[];
  /** SSO session lifetimes in hours (Auth0: `session_lifetime` 168, `idle_session_lifetime` 72). */
  readonly session_lifetime?: number;
  readonly idle_session_lifetime?: number;
  /** Auth0 tenant flags that change observable behaviour. */
  readonly flags?: { readonly enable_public_signup_user_exists_error?: boolean };
  /** The Deploy CLI's `attackProtection` section, defaults filled (shared/attack-protection/settings.ts). */
  readonly attack_protection?: AttackProtectionSettings;
  /** The Deploy CLI's `guardianPolicies` / `guardianFactors` / `guardianFactorTemplates` (shared/mfa/policy.ts). */
  readonly mfa?: MfaSettings;
  readonly extra: Readonly<Record<string, unknown>>;
}

/** The MFA factors Portcullis offers, by their Deploy CLI `guardianFactors` names. */
export const mfaFactorNames = ['otp', 'sms', 'email', 'recovery-code'] as const;
export type MfaFactorName = (typeof mfaFactorNames)[number];

/**
 * The tenant's MFA policy as the Deploy CLI writes it: `guardianPolicies: {policies:
 * [all-applications]}` asks every login for a second factor, `[]` (Auth0's default) never;
 * `guardianFactors: [{name, enabled}]` (all disabled by default, as in Auth0).
 */
export interface MfaSettings {
  readonly policy: 'all-applications' | 'never';
  readonly factors: Readonly<Record<MfaFactorName, boolean>>;
  /** `guardianFactorTemplates` for `sms` (Liquid-style `{{code}}`), when the tenant file sets them. */
  readonly sms_templates?: { readonly enrollment_message?: string; readonly verification_message?: string };
}

/** Attack protection (reference §16.5, §16.6), on by default as in Auth0. */
export interface AttackProtectionSettings {
  readonly brute_force: {
    readonly enabled: boolean;
    /** Failed logins for one identifier (from one IP) before the pair is blocked: 1–100, default 10. */
    readonly max_attempts: number;
    readonly shields: readonly ('block' | 'user_notification')[];
    readonly mode: 'count_per_identifier_and_ip' | 'count_per_identifier';
    readonly allowlist: readonly string[];
  };
  readonly suspicious_ip: {
    readonly enabled: boolean;
    readonly shields: readonly ('block' | 'admin_notification')[];
    readonly allowlist: readonly string[];
    /** Failed logins per IP: bucket size and ms per token (Auth0 `pre-login` 100, 864000). */
    readonly pre_login: { readonly max_attempts: number; readonly rate: number };
    /** Signups per IP: bucket size and ms per token (Auth0 `pre-user-registration` 50, 1200). */
    readonly pre_user_registration: { readonly max_attempts: number; readonly rate: number };
  };
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
