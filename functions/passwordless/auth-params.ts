import { OAuthError } from '#shared/errors';
import { authParamNames, type AuthParamName, type PasswordlessAuthParams } from '#shared/login/passwordless-start';
import type { ClientRecord } from '#shared/tenant/model';

/**
 * `authParams` of /passwordless/start: the authorize parameters a magic link carries into
 * GET /passwordless/verify_redirect (reference §7.1, §7.2). Checked here, before anything is
 * sent, so no email ever carries a link to a URL the client did not register: `redirect_uri`
 * must be one of its Allowed Callback URLs exactly (as at /authorize). Other members SDKs may
 * add (Lock's private ones) are not carried; the known ones must be strings. Errors are 400
 * `bad.authParams`. The link's landing validates the rest as /authorize does.
 */
const bad = (description: string) => new OAuthError(400, 'bad.authParams', description);
const maxLength = 2048;
/** Auth0's response types, their words sorted (the order in a request does not matter, OIDC Core §3). */
const responseTypes = new Set(['code', 'token', 'id_token', 'code id_token', 'code token', 'id_token token', 'code id_token token']);
const responseModes = new Set(['query', 'fragment', 'form_post', 'web_message']);

export function readAuthParams(value: unknown, client: ClientRecord): PasswordlessAuthParams {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(`Expected type object but found type ${Array.isArray(value) ? 'array' : typeof value}`);
  const given = value as Record<string, unknown>;
  const params: Partial<Record<AuthParamName, string>> = {};
  for (const name of authParamNames) {
    if (!Object.hasOwn(given, name)) continue;
    const member = given[name];
    if (member === undefined || member === null || member === '') continue;
    if (typeof member !== 'string') throw bad(`${name} must be a string`);
    if (member.length > maxLength) throw bad(`${name} is too long`);
    params[name] = member;
  }
  if (params.redirect_uri !== undefined && !client.callbacks.includes(params.redirect_uri)) {
    throw bad(`redirect_uri is not an Allowed Callback URL of the client: ${params.redirect_uri.slice(0, 256)}`);
  }
  if (params.response_type !== undefined && !responseTypes.has(params.response_type.split(' ').filter(Boolean).sort().join(' '))) {
    throw bad(`Unsupported response_type: ${params.response_type.slice(0, 64)}`);
  }
  if (params.response_mode !== undefined && !responseModes.has(params.response_mode)) throw bad(`Unsupported response_mode: ${params.response_mode.slice(0, 64)}`);
  if (params.code_challenge_method !== undefined && params.code_challenge_method !== 'S256' && params.code_challenge_method !== 'plain') {
    throw bad('code_challenge_method must be S256 or plain');
  }
  return params;
}
