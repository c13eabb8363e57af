import { invalidRequest } from '#shared/errors';
import type { SessionRecord } from '#shared/store/sessions';

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
