import { httpOrigin } from '../http/origins.ts';
import { log } from '../log.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { issueLogoutToken } from '../tokens/logout-token.ts';

/**
 * OpenID Connect Back-Channel Logout 1.0 (reference §5.5): when an SSO session ends, every
 * client that received tokens through it and registered `backchannel_logout_urls` gets a
 * form POST `logout_token=<JWT>` at each URL, so its server-side session ends too.
 *
 * - Targets come only from the tenant file (http(s) URLs checked when it was applied); no
 *   request parameter ever decides where we send anything.
 * - All deliveries run in parallel, each with a short timeout and without following
 *   redirects (§2.5: the RP answers 200; a redirect is not a success), and are awaited before
 *   the logout response: Lambda may freeze the process as soon as the handler returns.
 * - One token per URL (its own `jti`): an RP serving several URLs from one replay cache would
 *   otherwise refuse the second delivery as a replay.
 * - Failures are logged with the client id, the URL's origin and path and the reason: never
 *   the token.
 */
export interface EndedSession {
  readonly sid: string;
  readonly user_id: string;
  /** Client ids that received tokens through the session. */
  readonly clients: readonly string[];
}

export interface BackchannelDelivery {
  readonly clientId: string;
  readonly url: string;
  readonly ok: boolean;
  /** HTTP status of the answer, when there was one. */
  readonly status?: number;
  readonly reason?: string;
}

export interface BackchannelOptions {
  readonly tenant: TenantConfig;
  /** The issuer of the ID tokens the clients received (with trailing slash). */
  readonly issuer: string;
  readonly session: EndedSession;
  /** Per delivery; the logout page waits for the slowest one. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export const defaults = { timeoutMs: 2_000 };

export async function sendBackchannelLogout(options: BackchannelOptions): Promise<BackchannelDelivery[]> {
  const targets = backchannelTargets(options.tenant, options.session.clients);
  return Promise.all(targets.map((target) => deliver(target, options)));
}

/** Every (client, URL) pair to notify, each client once, only http(s) URLs. */
export function backchannelTargets(tenant: TenantConfig, clientIds: readonly string[]): { clientId: string; url: string }[] {
  const targets: { clientId: string; url: string }[] = [];
  for (const clientId of new Set(clientIds)) {
    const client = tenant.clients.get(clientId);
    for (const url of new Set(client?.backchannel_logout_urls ?? [])) {
      if (httpOrigin(url) !== undefined) targets.push({ clientId, url });
    }
  }
  return targets;
}

async function deliver(target: { clientId: string; url: string }, options: BackchannelOptions): Promise<BackchannelDelivery> {
  const { tenant, issuer, session } = options;
  const send = options.fetch ?? fetch;
  let outcome: BackchannelDelivery;
  try {
    const alg = tenant.clients.get(target.clientId)?.jwt_configuration.alg ?? 'RS256';
    const token = await issueLogoutToken({ issuer, clientId: target.clientId, sub: session.user_id, sid: session.sid }, alg);
    const response = await send(target.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Cache-Control': 'no-store' },
      body: new URLSearchParams({ logout_token: token }).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? defaults.timeoutMs),
    });
    // The body is of no interest; release the connection.
    await response.body?.cancel().catch(() => {});
    outcome = response.ok
      ? { ...target, ok: true, status: response.status }
      : { ...target, ok: false, status: response.status, reason: `HTTP ${response.status}` };
  } catch (error) {
    outcome = { ...target, ok: false, reason: error instanceof Error ? error.name : 'Error' };
  }
  const fields = { client_id: target.clientId, url: loggableUrl(target.url), status: outcome.status, reason: outcome.reason };
  if (outcome.ok) log.debug('back-channel logout delivered', fields);
  else log.warn('back-channel logout failed', fields);
  return outcome;
}

/** Origin and path only: a query string could carry something the tenant considers secret. */
function loggableUrl(value: string): string {
  const url = new URL(value);
  return `${url.origin}${url.pathname}`;
}
