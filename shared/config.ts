/**
 * Runtime configuration, read once from the environment at init and validated, so a
 * misdeployed function fails at its first request with a clear message rather than later.
 * The CDK stack and the local server set exactly these variables.
 */
export interface RuntimeConfig {
  /** Public base URL with trailing slash: the `iss` of every token (reference §1.1). */
  readonly issuer: string;
  /** Base URL of the mTLS API when it is not `https://mtls.<custom domain>/`. */
  readonly mtlsBaseUrl: string | undefined;
  readonly tables: { clients: string; users: string; codes: string; rateLimits: string; sessions: string; refreshTokens: string; authenticators: string };
  readonly keyset: { kind: 'file'; path: string } | { kind: 'secretsmanager'; secretId: string };
  /** How long a function trusts its cached tenant configuration (clients, APIs, grants). */
  readonly configCacheMs: number;
  /** How long a function trusts its cached keyset; rotation reaches warm functions within it. */
  readonly keysetCacheMs: number;
  /**
   * Where email goes: Amazon SES from the tenant's sender identity on AWS (`SES_FROM_ADDRESS`),
   * or locally one JSON line per message appended to `OUTBOX_FILE` (and printed).
   */
  readonly mail: { kind: 'ses'; from: string } | { kind: 'outbox'; file: string } | { kind: 'none' };
  /**
   * Where SMS go: Amazon SNS on AWS (`SMS_TRANSPORT=sns`, optional `SMS_SENDER_ID`), or the same
   * local outbox file as email (`OUTBOX_FILE`), or nowhere.
   */
  readonly sms: { kind: 'sns'; senderId: string | undefined } | { kind: 'outbox'; file: string } | { kind: 'none' };
  /**
   * The key that seals secrets at rest (TOTP seeds): a KMS key on AWS (`SECRETS_KMS_KEY_ID`),
   * or a local 256-bit key file beside the keyset (`SECRETS_KEY_FILE`, made by `npm start`).
   */
  readonly secretsKey: { kind: 'kms'; keyId: string } | { kind: 'file'; path: string } | { kind: 'none' };
  /**
   * The key behind the keyed digests of one-time codes (shared/crypto/code-digest.ts): its own
   * Secrets Manager secret on AWS (`CODE_MAC_SECRET_ID`, set only for the functions that digest
   * or verify codes), or derived locally from the secrets key file (`SECRETS_KEY_FILE`). Never
   * the signing keyset: a function that only digests codes must not be able to sign tokens.
   */
  readonly codeMacKey: { kind: 'secretsmanager'; secretId: string } | { kind: 'file'; path: string } | { kind: 'none' };
}

let cached: RuntimeConfig | undefined;

export function runtimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  if (cached && env === process.env) return cached;
  const config = readConfig(env);
  if (env === process.env) cached = config;
  return config;
}

/** For the local server and tests, which change the environment between runs. */
export function resetRuntimeConfig(): void {
  cached = undefined;
}

function readConfig(env: NodeJS.ProcessEnv): RuntimeConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`Portcullis: environment variable ${name} is not set`);
    return value;
  };
  const issuer = required('ISSUER');
  if (!/^https?:\/\/[^/]+\/$/.test(issuer)) {
    throw new Error(`Portcullis: ISSUER must be an origin with a trailing slash, got ${issuer}`);
  }
  const keyset = env.KEYSET_SECRET_ID
    ? ({ kind: 'secretsmanager', secretId: env.KEYSET_SECRET_ID } as const)
    : ({ kind: 'file', path: required('KEYSET_FILE') } as const);
  return {
    issuer,
    mtlsBaseUrl: env.MTLS_BASE_URL || undefined,
    tables: {
      clients: required('TABLE_CLIENTS'),
      users: required('TABLE_USERS'),
      codes: required('TABLE_CODES'),
      rateLimits: required('TABLE_RATE_LIMITS'),
      sessions: required('TABLE_SESSIONS'),
      refreshTokens: required('TABLE_REFRESH_TOKENS'),
      authenticators: required('TABLE_AUTHENTICATORS'),
    },
    keyset,
    configCacheMs: numberOr(env.CONFIG_CACHE_MS, 30_000),
    keysetCacheMs: numberOr(env.KEYSET_CACHE_MS, 300_000),
    mail: env.SES_FROM_ADDRESS
      ? { kind: 'ses', from: env.SES_FROM_ADDRESS }
      : env.OUTBOX_FILE
        ? { kind: 'outbox', file: env.OUTBOX_FILE }
        : { kind: 'none' },
    sms:
      env.SMS_TRANSPORT === 'sns'
        ? { kind: 'sns', senderId: env.SMS_SENDER_ID || undefined }
        : env.OUTBOX_FILE
          ? { kind: 'outbox', file: env.OUTBOX_FILE }
          : { kind: 'none' },
    secretsKey: env.SECRETS_KMS_KEY_ID
      ? { kind: 'kms', keyId: env.SECRETS_KMS_KEY_ID }
      : env.SECRETS_KEY_FILE
        ? { kind: 'file', path: env.SECRETS_KEY_FILE }
        : { kind: 'none' },
    codeMacKey: env.CODE_MAC_SECRET_ID
      ? { kind: 'secretsmanager', secretId: env.CODE_MAC_SECRET_ID }
      : env.SECRETS_KEY_FILE
        ? { kind: 'file', path: env.SECRETS_KEY_FILE }
        : { kind: 'none' },
  };
}

function numberOr(value: string | undefined, fallback: number): number {
  const n = value === undefined || value === '' ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}
