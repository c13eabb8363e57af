import { invalidClient } from '../errors.ts';

/**
 * `Authorization: Basic` for client_secret_basic. RFC 6749 §2.3.1: client id and secret are
 * form-urlencoded *before* base64, so both are decoded here (AuthHero skipped this and broke
 * openid-client's ClientSecretBasic, peers.md).
 */
export interface BasicCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export function parseBasicAuthorization(header: string | undefined): BasicCredentials | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() !== 'basic') return undefined;
  const failed = () =>
    invalidClient('Invalid Authorization header', { headers: { 'WWW-Authenticate': 'Basic realm="token"' } });
  if (!value || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw failed();
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw failed();
  try {
    const clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const clientSecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    return { clientId, clientSecret };
  } catch {
    throw failed();
  }
}
