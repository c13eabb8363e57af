import { enabledDatabaseConnection } from '#shared/connections/database';
import { passwordlessConnection } from '#shared/connections/passwordless';
import { invalidRequest } from '#shared/errors';
import { mfaApplies } from '#shared/mfa/policy';
import type { SessionRecord } from '#shared/store/sessions';
import type { TenantConfig } from '#shared/tenant/model';

/**
 * `prompt` and `max_age` (OIDC Core §3.1.2.1) and whether an SSO session may answer without
 * showing a page. `select_account` is accepted and ignored: there is one account per browser.
 */
const promptValues = new Set(['none', 'login', 'consent', 'select_account']);

export function parsePrompt(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const values = [...new Set(raw.split(' ').filter((v) => v !== ''))];
  const unknown = values.find((v) => !promptValues.has(v));
  if (unknown !== undefined) throw invalidRequest(`Unsupported prompt value: ${unknown}`);
  // §3.1.2.1: "If this parameter contains none with any other value, an error is returned."
  if (values.includes('none') && values.length > 1) throw invalidRequest('prompt=none must not be combined with other values');
  return values.filter((v) => v !== 'select_account');
}

export function parseMaxAge(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,10}$/.test(raw)) throw invalidRequest('max_age must be a non-negative integer');
  return Number(raw);
}

/**
 * Whether the session's login is recent enough for this request: not with prompt=login, and
 * within max_age, and from the connection the request names, if it names one. Times are whole
 * seconds, so an elapsed time equal to max_age may really be longer: it asks for a login too
 * (and max_age=0 always does, as Auth0 says; conformance `oidcc-max-age-1`).
 */
export function sessionSatisfies(
  session: Pick<SessionRecord, 'auth_time' | 'connection'>,
  request: { prompt: readonly string[]; max_age?: number; connection?: string },
  nowSeconds: number,
): boolean {
  if (request.prompt.includes('login')) return false;
  if (request.max_age !== undefined && nowSeconds - session.auth_time >= request.max_age) return false;
  if (request.connection !== undefined && session.connection !== request.connection) return false;
  return true;
}

/**
 * Whether an SSO session may answer an authorization request — the one rule /authorize and
 * every page share, so no page can be reached around it (say, the consent page's URL typed in
 * after /authorize asked for a login). The session's connection must be enabled for the client
 * (Auth0 shows the login page otherwise); an `id_token_hint` names the only user who may answer
 * (OIDC Core §3.1.2.2); when MFA applies to the request now (the tenant's policy, or the MFA
 * API audience), only a session whose login passed a second factor (`amr` has `mfa`) answers —
 * one made before MFA was turned on logs in again; and a session logged in for this very
 * request (`fresh`: on its login or signup page) answers it whatever `prompt` and `max_age`
 * said, while an older one must satisfy them.
 */
export function sessionAnswers(
  tenant: TenantConfig,
  session: Pick<SessionRecord, 'auth_time' | 'connection' | 'user_id' | 'amr'>,
  request: SessionRequest,
  nowSeconds: number,
  issuer: string,
  fresh = false,
): boolean {
  return sessionVerdict(tenant, session, request, nowSeconds, issuer, fresh) === 'answers';
}

type SessionRequest = { client_id: string; prompt: readonly string[]; max_age?: number; connection?: string; hint_sub?: string; audience?: string };

/**
 * sessionAnswers, saying why not when the only thing missing is a second factor
 * (`needs-mfa`): prompt=none then answers `interaction_required` ("MFA needs UI",
 * reference §2.1) rather than `login_required`.
 */
export function sessionVerdict(
  tenant: TenantConfig,
  session: Pick<SessionRecord, 'auth_time' | 'connection' | 'user_id' | 'amr'>,
  request: SessionRequest,
  nowSeconds: number,
  issuer: string,
  fresh = false,
): 'answers' | 'needs-mfa' | 'no' {
  if (!enabledConnection(tenant, session.connection, request.client_id)) return 'no';
  if (request.hint_sub !== undefined && request.hint_sub !== session.user_id) return 'no';
  if (request.connection !== undefined && session.connection !== request.connection) return 'no';
  if (!fresh && !sessionSatisfies(session, request, nowSeconds)) return 'no';
  return !session.amr?.includes('mfa') && mfaApplies(tenant, session.connection, request.audience, issuer) ? 'needs-mfa' : 'answers';
}

/** A database connection or a passwordless one (email, sms) that the client has enabled. */
const enabledConnection = (tenant: TenantConfig, name: string, clientId: string) =>
  enabledDatabaseConnection(tenant, name, clientId) !== undefined || passwordlessConnection(tenant, name, clientId) !== undefined;
