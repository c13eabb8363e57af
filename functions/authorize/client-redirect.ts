import { invalidRequest } from '#shared/errors';
import type { ClientRecord, TenantConfig } from '#shared/tenant/model';
import type { AuthorizeQuery } from './query-params.ts';

/**
 * The first two checks of /authorize, whose failures must never become redirects (reference
 * §2.1; RFC 6749 §4.1.2.1; RFC 9700 §4.1): an unknown client or a redirect_uri that is not
 * exactly one of its Allowed Callback URLs shows an error page (400). Only once both pass is
 * there somewhere safe to send the other errors.
 */
export interface VerifiedRedirect {
  readonly client: ClientRecord;
  readonly redirectUri: string;
  /** RFC 6749 §4.1.3: the token request must repeat redirect_uri only if /authorize had it. */
  readonly redirectUriSent: boolean;
}

export function verifyClientAndRedirect(tenant: TenantConfig, { params, repeated }: AuthorizeQuery): VerifiedRedirect {
  if (repeated.has('client_id')) throw invalidRequest("'client_id' parameter must not be provided more than once");
  const clientId = params.client_id;
  if (!clientId) throw invalidRequest('Missing required parameter: client_id');
  const client = tenant.clients.get(clientId);
  if (!client) throw invalidRequest(`Unknown client: ${clientId}`, { detail: 'unknown client_id' });
  if (repeated.has('redirect_uri')) throw invalidRequest("'redirect_uri' parameter must not be provided more than once");
  const sent = params.redirect_uri;
  if (sent === undefined) {
    // Falling back is safe only when there is nothing to choose between (authlib#712).
    if (client.callbacks.length === 1) return { client, redirectUri: client.callbacks[0]!, redirectUriSent: false };
    throw invalidRequest('Missing required parameter: redirect_uri', { detail: `${client.callbacks.length} callbacks registered` });
  }
  if (!matchesCallback(client, sent)) {
    throw invalidRequest(`Callback URL mismatch. ${sent} is not in the list of allowed callback URLs`, { detail: 'redirect_uri mismatch' });
  }
  return { client, redirectUri: sent, redirectUriSent: true };
}

/** Exact string comparison, no normalisation and no wildcards (RFC 9700 §2.1, §4.1.3). */
export function matchesCallback(client: Pick<ClientRecord, 'callbacks'>, redirectUri: string): boolean {
  return client.callbacks.includes(redirectUri);
}
