import { createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import { canonicalDn } from '../../shared/client-auth/certificate.ts';
import { sha256Base64Url } from '../../shared/crypto/digest.ts';
import { assertionAlgs, type PrivateKeyJwtCredential, type SecretAuthMethod, type TenantConfig } from '../../shared/tenant/model.ts';
import type { Reader } from './fields.ts';
import type { PlannedClient } from './plan.ts';

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;
const publicAppTypes = new Set(['spa', 'native']);
const secretAuthMethods: readonly SecretAuthMethod[] = ['none', 'client_secret_post', 'client_secret_basic'];
/** Auth0's default grants per application type, when the file names none. */
const defaultGrants: Record<string, string[]> = {
  non_interactive: ['client_credentials'],
  spa: ['authorization_code', 'implicit', 'refresh_token'],
  native: ['authorization_code', 'implicit', 'refresh_token'],
  regular_web: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
};

/** Auth0-like secret: 64 characters of base64url (48 random bytes). */
export const generateSecret = () => randomBytes(48).toString('base64url');
const generateClientId = () => randomBytes(24).toString('base64url').replace(/[-_]/g, 'x').slice(0, 32);

export function planClient(c: Reader, existing: TenantConfig | undefined): PlannedClient | undefined {
  const name = c.string('name', { required: true, min: 1, max: 128 });
  if (name === undefined) return undefined;
  // The Deploy CLI matches clients by name; an explicit client_id matches first, so renaming a
  // client in the file keeps its stored secret.
  const explicitId = c.string('client_id', { pattern: idPattern });
  const previous = existing
    ? (explicitId !== undefined ? existing.clients.get(explicitId) : undefined) ??
      [...existing.clients.values()].find((x) => x.name === name && (explicitId === undefined || x.client_id === explicitId))
    : undefined;
  const client_id = explicitId ?? previous?.client_id ?? generateClientId();
  const fileSecret = c.string('client_secret', { min: 16, max: 512 });
  const appType = c.string('app_type');
  const cam = planAuthenticationMethods(c);
  const declared = c.obj.token_endpoint_auth_method;
  let method = c.oneOf('token_endpoint_auth_method', secretAuthMethods);
  if (cam && declared !== undefined && declared !== null) {
    c.problems.add(c.at('token_endpoint_auth_method'), 'must be null when client_authentication_methods is set (Auth0 §17)');
  }
  // Auth0's defaults: public for browser and native apps, client_secret_post for the rest.
  if (!cam && method === undefined) method = publicAppTypes.has(appType ?? '') ? 'none' : 'client_secret_post';
  const needsSecret = method === 'client_secret_post' || method === 'client_secret_basic';
  const grantTypes = c.strings('grant_types') ?? defaultGrants[appType ?? 'non_interactive'] ?? ['client_credentials'];
  if (method === 'none' && grantTypes.includes('client_credentials')) {
    c.problems.add(c.at('grant_types'), 'client_credentials needs a confidential client (token_endpoint_auth_method is none)');
  }
  const keepHash = needsSecret && !fileSecret ? previous?.client_secret_hash : undefined;
  const secret = needsSecret ? (fileSecret ?? (keepHash ? undefined : generateSecret())) : undefined;
  const {
    name: _n, client_id: _i, client_secret: _s, token_endpoint_auth_method: _m, client_authentication_methods: _c,
    grant_types: _g, app_type: _a, is_first_party: _f, require_proof_of_possession: _p, is_token_endpoint_ip_header_trusted: _t,
    callbacks: _cb, allowed_origins: _ao, web_origins: _wo, allowed_logout_urls: _lo, jwt_configuration: _j, refresh_token: _r,
    oidc_logout: _ol, oidc_backchannel_logout: _obl,
    ...extra
  } = c.obj;
  return {
    record: {
      client_id,
      name,
      ...(appType ? { app_type: appType } : {}),
      is_first_party: c.boolean('is_first_party', true),
      grant_types: grantTypes,
      ...(method ? { token_endpoint_auth_method: method } : {}),
      ...(cam ? { client_authentication_methods: cam } : {}),
      require_proof_of_possession: c.boolean('require_proof_of_possession', false),
      is_token_endpoint_ip_header_trusted: c.boolean('is_token_endpoint_ip_header_trusted', false),
      callbacks: urls(c, 'callbacks', 'url'),
      allowed_origins: urls(c, 'allowed_origins', 'origin'),
      web_origins: urls(c, 'web_origins', 'origin'),
      allowed_logout_urls: urls(c, 'allowed_logout_urls', 'url'),
      jwt_configuration: planJwtConfiguration(c),
      refresh_token: planRefreshToken(c, appType),
      backchannel_logout_urls: planBackchannelLogout(c),
      extra,
    },
    secret,
    secretGenerated: needsSecret && !fileSecret && !keepHash,
    keepHash,
  };
}

function planAuthenticationMethods(c: Reader): PlannedClient['record']['client_authentication_methods'] {
  const cam = c.object('client_authentication_methods');
  if (!cam) return undefined;
  const out: Record<string, unknown> = {};
  const pkj = cam.object('private_key_jwt');
  if (pkj) {
    const credentials = pkj.list('credentials').map((cred) => privateKeyJwtCredential(cred)).filter((x) => x !== undefined);
    if (credentials.length === 0) pkj.problems.add(pkj.at('credentials'), 'needs at least one credential');
    out.private_key_jwt = { credentials };
  }
  const tls = cam.object('tls_client_auth');
  if (tls) {
    const credentials = tls.list('credentials').flatMap((cred) => {
      cred.oneOf('credential_type', ['cert_subject_dn'] as const, 'cert_subject_dn');
      const dn = cred.string('subject_dn');
      const pem = cred.string('pem');
      if (dn) return [{ subject_dn: canonicalDn(dn) }];
      const cert = pem ? parseCert(cred, pem) : undefined;
      if (cert) return [{ subject_dn: canonicalDn(cert.subject) }];
      if (!pem) cred.problems.add(cred.path, 'needs subject_dn or pem');
      return [];
    });
    if (credentials.length === 0) tls.problems.add(tls.at('credentials'), 'needs at least one credential');
    out.tls_client_auth = { credentials };
  }
  const selfSigned = cam.object('self_signed_tls_client_auth');
  if (selfSigned) {
    const credentials = selfSigned.list('credentials').flatMap((cred) => {
      cred.oneOf('credential_type', ['x509_cert'] as const, 'x509_cert');
      const pem = cred.string('pem', { required: true });
      const cert = pem ? parseCert(cred, pem) : undefined;
      return cert ? [{ x5t_s256: sha256Base64Url(cert.raw) }] : [];
    });
    // Auth0 allows at most two self-signed certificates per client (reference §17).
    if (credentials.length === 0 || credentials.length > 2) selfSigned.problems.add(selfSigned.at('credentials'), 'needs one or two certificates');
    out.self_signed_tls_client_auth = { credentials };
  }
  if (Object.keys(out).length === 0) {
    // Without token_endpoint_auth_method either, such a client could never authenticate.
    cam.problems.add(cam.path, 'needs at least one method (private_key_jwt, tls_client_auth, self_signed_tls_client_auth)');
  }
  return out as PlannedClient['record']['client_authentication_methods'];
}

function privateKeyJwtCredential(cred: Reader): PrivateKeyJwtCredential | undefined {
  cred.oneOf('credential_type', ['public_key'] as const, 'public_key');
  const pem = cred.string('pem', { required: true });
  const alg = cred.oneOf('alg', assertionAlgs, 'RS256');
  if (!pem || !alg) return undefined;
  try {
    const key = createPublicKey(pem);
    const type = key.asymmetricKeyType;
    const curve = key.asymmetricKeyDetails?.namedCurve;
    // RFC 7518 §3.4: ES256 is P-256 only, ES384 P-384 only; RS* cannot use an RSA-PSS-only key.
    const fits = alg.startsWith('ES')
      ? type === 'ec' && curve === (alg === 'ES256' ? 'prime256v1' : 'secp384r1')
      : alg.startsWith('PS')
        ? type === 'rsa' || type === 'rsa-pss'
        : type === 'rsa';
    if (!fits) cred.problems.add(cred.at('alg'), `${alg} does not fit a ${type}${curve ? ` ${curve}` : ''} key`);
    if ((type === 'rsa' || type === 'rsa-pss') && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) cred.problems.add(cred.at('pem'), 'RSA keys need at least 2048 bits');
    const spki = key.export({ type: 'spki', format: 'pem' }).toString();
    return { id: cred.string('kid') ?? cred.string('name') ?? sha256Base64Url(spki).slice(0, 22), alg, pem: spki };
  } catch {
    cred.problems.add(cred.at('pem'), 'is not a PEM public key (or certificate)');
    return undefined;
  }
}

function parseCert(cred: Reader, pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    cred.problems.add(cred.at('pem'), 'is not a PEM certificate');
    return undefined;
  }
}

/**
 * A list of absolute http(s) URLs (callbacks, logout URLs) or origins. Auth0 matches
 * callbacks exactly; a fragment can never be part of a redirect (RFC 6749 §3.1.2), and
 * wildcards are refused here, since exact matching is what RFC 9700 §2.1 asks for.
 */
export function urls(c: Reader, field: string, kind: 'url' | 'origin'): string[] {
  return (c.strings(field) ?? []).filter((value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      c.problems.add(c.at(field), `${value} is not an absolute URL`);
      return false;
    }
    if (value.includes('*')) c.problems.add(c.at(field), `${value}: wildcards are not supported; list each URL`);
    else if (url.protocol !== 'https:' && url.protocol !== 'http:' && kind === 'origin') c.problems.add(c.at(field), `${value} is not an http(s) origin`);
    else if (kind === 'origin' && url.origin !== value.replace(/\/$/, '')) c.problems.add(c.at(field), `${value} is not an origin (scheme://host[:port])`);
    else if (url.hash) c.problems.add(c.at(field), `${value} must not contain a fragment`);
    else return true;
    return false;
  }).map((value) => (kind === 'origin' ? new URL(value).origin : value));
}

function planJwtConfiguration(c: Reader): PlannedClient['record']['jwt_configuration'] {
  const j = c.object('jwt_configuration');
  // HS256 would need the client secret in clear to sign; Portcullis keeps only its hash.
  const alg = j?.oneOf('alg', ['RS256', 'PS256', 'ES256'] as const, 'RS256') ?? 'RS256';
  return { alg, lifetime_in_seconds: j?.integer('lifetime_in_seconds', { min: 60, max: 2_592_000, fallback: 36_000 }) ?? 36_000 };
}

/** Auth0's defaults: SPAs and native apps get rotating, expiring tokens; others non-rotating. */
function planRefreshToken(c: Reader, appType: string | undefined): PlannedClient['record']['refresh_token'] {
  const r = c.object('refresh_token');
  const browserOrNative = publicAppTypes.has(appType ?? '');
  const rotation = r?.oneOf('rotation_type', ['rotating', 'non-rotating'] as const) ?? (browserOrNative ? 'rotating' : 'non-rotating');
  const expiration = r?.oneOf('expiration_type', ['expiring', 'non-expiring'] as const) ?? (rotation === 'rotating' ? 'expiring' : 'non-expiring');
  if (rotation === 'rotating' && expiration === 'non-expiring') c.problems.add(c.at('refresh_token.expiration_type'), 'rotating refresh tokens must be expiring (Auth0)');
  return {
    rotation_type: rotation,
    expiration_type: expiration,
    leeway: r?.integer('leeway', { min: 0, max: 60, fallback: 0 }) ?? 0,
    token_lifetime: r?.integer('token_lifetime', { min: 1, max: 31_557_600, fallback: 2_592_000 }) ?? 2_592_000,
    infinite_token_lifetime: r?.boolean('infinite_token_lifetime', expiration === 'non-expiring') ?? expiration === 'non-expiring',
    idle_token_lifetime: r?.integer('idle_token_lifetime', { min: 1, max: 31_557_600, fallback: 2_592_000 }) ?? 2_592_000,
    infinite_idle_token_lifetime: r?.boolean('infinite_idle_token_lifetime', expiration === 'non-expiring') ?? expiration === 'non-expiring',
  };
}

/** `oidc_logout.backchannel_logout_urls` (current) or `oidc_backchannel_logout.backchannel_logout_urls` (older). */
function planBackchannelLogout(c: Reader): string[] {
  const section = c.object('oidc_logout') ?? c.object('oidc_backchannel_logout');
  return section ? urls(section, 'backchannel_logout_urls', 'url') : [];
}
