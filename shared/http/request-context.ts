import { runtimeConfig } from '../config.ts';
import { safeEqual, sha256Base64Url } from '../crypto/digest.ts';
import type { CustomDomainRecord, TenantConfig } from '../tenant/model.ts';
import type { ApiEvent } from './types.ts';

/** A client certificate as presented to us, not yet parsed (parsing costs; most requests never need it). */
export interface PresentedCertificate {
  readonly pem: string;
  /** `gateway`: API Gateway's mTLS handshake, chained to the truststore. `edge`: a trusted proxy's headers. */
  readonly source: 'gateway' | 'edge';
  /** Whether the presenter verified the chain against a CA (edge: `client-certificate-ca-verified: SUCCESS`). */
  readonly caVerified: boolean;
}

export interface RequestContext {
  /** The `iss` for this request: the configured issuer, or the custom domain the request came through. */
  readonly issuer: string;
  /** The end user's IP: the socket's, or the trusted proxy's forwarded one. */
  readonly clientIp: string;
  /** The self-managed custom domain whose proxy authenticated itself with `cname-api-key`. */
  readonly customDomain: CustomDomainRecord | undefined;
  readonly certificate: PresentedCertificate | undefined;
}

/**
 * Works out who is really calling. Proxy headers (`X-Forwarded-*`, the custom IP header and
 * Auth0's mTLS edge headers) are believed only from a proxy that presents its custom
 * domain's `cname-api-key` (reference §1.1, §17); from anyone else they are ignored, so a
 * client cannot spoof its IP or a certificate.
 */
export function resolveRequestContext(event: ApiEvent, tenant: TenantConfig): RequestContext {
  const headers = event.headers;
  const socketIp = event.requestContext.identity.sourceIp;
  const gatewayCert = event.requestContext.identity.clientCert?.clientCertPem;
  const domain = trustedCustomDomain(headers, tenant);
  if (!domain) {
    return {
      issuer: runtimeConfig().issuer,
      clientIp: socketIp,
      customDomain: undefined,
      certificate: gatewayCert ? { pem: gatewayCert, source: 'gateway', caVerified: true } : undefined,
    };
  }
  const proto = headers['x-forwarded-proto']?.split(',')[0]?.trim().toLowerCase() === 'http' ? 'http' : 'https';
  return {
    issuer: `${proto}://${domain.domain}/`,
    clientIp: forwardedIp(headers, domain) ?? socketIp,
    customDomain: domain,
    certificate: gatewayCert ? { pem: gatewayCert, source: 'gateway', caVerified: true } : edgeCertificate(headers),
  };
}

function trustedCustomDomain(headers: ApiEvent['headers'], tenant: TenantConfig): CustomDomainRecord | undefined {
  const key = headers['cname-api-key'];
  const host = headers['host']?.replace(/:\d+$/, '').toLowerCase();
  if (!key || !host) return undefined;
  const domain = tenant.customDomains.get(host);
  if (!domain?.cname_api_key_sha256) return undefined;
  return safeEqual(sha256Base64Url(key), domain.cname_api_key_sha256) ? domain : undefined;
}

function forwardedIp(headers: ApiEvent['headers'], domain: CustomDomainRecord): string | undefined {
  if (domain.custom_client_ip_header) {
    const value = headers[domain.custom_client_ip_header.toLowerCase()]?.trim();
    if (value) return value;
  }
  // The proxy appends the address it saw; entries to its left came from the client.
  const xff = headers['x-forwarded-for'];
  const last = xff?.split(',').pop()?.trim();
  return last || undefined;
}

/** Auth0's edge headers: `client-certificate` is URL-encoded PEM (reference §17). */
function edgeCertificate(headers: ApiEvent['headers']): PresentedCertificate | undefined {
  const encoded = headers['client-certificate'];
  if (!encoded) return undefined;
  let pem: string;
  try {
    pem = decodeURIComponent(encoded);
  } catch {
    pem = '';
  }
  const verdict = headers['client-certificate-ca-verified']?.trim().toUpperCase() ?? '';
  return { pem, source: 'edge', caVerified: verdict.startsWith('SUCCESS') };
}
