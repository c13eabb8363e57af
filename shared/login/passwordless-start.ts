import type { PasswordlessConnection } from '../connections/passwordless.ts';
import { OAuthError } from '../errors.ts';
import { limitByKey } from '../http/keyed-rate-limit.ts';
import { log } from '../log.ts';
import { sendMail } from '../mail/send.ts';
import { passwordlessEmail } from '../mail/templates.ts';
import { sendSms } from '../sms/send.ts';
import { passwordlessSms } from '../sms/templates.ts';
import { issueDecoyCode, issuePasswordlessCode } from '../store/passwordless-codes.ts';
import { findUserByEmail, findUserByPhone } from '../store/users.ts';
import type { ClientRecord, TenantConfig } from '../tenant/model.ts';

/**
 * Sends one passwordless code or magic link, as POST /passwordless/start and the hosted
 * /u/login-passwordless page both do (reference §7.1), under the same rate limits:
 * `passwordless_start` per IP (Auth0: 50 burst, 50/hour) and `sms` / `email` per recipient.
 *
 * Blocked users, and unknown identities of a connection that disables signup, get nothing —
 * and the caller answers exactly as when a code went out, so the endpoint tells nobody who
 * has an account (Auth0 does not document its answer for disable_signup; this is our choice).
 * They also pay what a sent code costs before the answer — a code's digest and a conditional
 * write (issueDecoyCode) — so the answer is not measurably quicker. What remains is the
 * provider call (SES/SNS) itself, which cannot be made for nobody: on AWS it is one short API
 * call, not a delivery.
 *
 * Throws OAuthError 429 `too_many_requests` (with `X-RateLimit-*` and `Retry-After`) and,
 * when SNS refuses an SMS, 400 `sms_provider_error` as Auth0 does. A failed email is logged
 * and not reported, as for password resets.
 */
export const authParamNames = [
  'redirect_uri',
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'audience',
  'code_challenge',
  'code_challenge_method',
  'protocol',
] as const;
export type AuthParamName = (typeof authParamNames)[number];
export type PasswordlessAuthParams = Readonly<Partial<Record<AuthParamName, string>>>;

export interface SendPasswordlessCodeInput {
  readonly tenant: TenantConfig;
  /** The per-request issuer (trailing slash): magic links follow the domain the request came through. */
  readonly issuer: string;
  readonly client: ClientRecord;
  readonly connection: PasswordlessConnection;
  /** Already normalised by passwordlessIdentifier (lower-cased email or E.164 number). */
  readonly identifier: string;
  readonly send: 'code' | 'link';
  /** Carried in a magic link (validated by the caller: redirect_uri is one of the client's callbacks). */
  readonly authParams?: PasswordlessAuthParams;
  /** The end user's IP (auth0-forwarded-for from a trusted backend, else the caller's). */
  readonly ip: string;
}

export interface SendPasswordlessCodeResult {
  /** `X-RateLimit-*` of the tightest bucket drawn, for the answer. */
  readonly headers: Record<string, string>;
}

export async function sendPasswordlessCode(input: SendPasswordlessCodeInput): Promise<SendPasswordlessCodeResult> {
  const { tenant, connection, identifier } = input;
  let headers = await limitByKey(tenant, 'passwordless_start', input.ip);
  // Per recipient too, whatever the IP: nobody floods one inbox or phone from many addresses.
  headers = tighter(headers, await limitByKey(tenant, connection.strategy === 'sms' ? 'sms' : 'email', identifier));

  const user = connection.strategy === 'sms' ? await findUserByPhone(connection.name, identifier) : await findUserByEmail(connection.name, identifier);
  const codeInput = {
    connection: connection.name,
    identifier,
    clientId: input.client.client_id,
    lifetimeSeconds: connection.codeLifetimeSeconds,
    length: connection.codeLength,
  };
  if (user?.blocked || (!user && connection.disableSignup)) {
    await issueDecoyCode(codeInput);
    log.info('passwordless code not sent', { connection: connection.name, client: input.client.client_id, reason: user ? 'blocked' : 'signup_disabled' });
    return { headers };
  }

  const code = await issuePasswordlessCode(codeInput);
  const link = input.send === 'link' ? magicLink(input, code) : undefined;
  const applicationName = input.client.name;
  if (connection.strategy === 'sms') {
    try {
      await sendSms(passwordlessSms({ to: identifier, tenant, applicationName, connection, code, ...(link ? { link } : {}) }));
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 500;
      log.error('passwordless sms not sent', { connection: connection.name, error: name });
      // Auth0's shape: "<provider message> (Code: <n>)"; the provider's name only, never the number.
      throw new OAuthError(400, 'sms_provider_error', `${name} (Code: ${status})`);
    }
  } else {
    try {
      await sendMail(passwordlessEmail({ to: identifier, tenantName: tenant.settings.friendly_name, applicationName, connection, code, ...(link ? { link } : {}) }));
    } catch (error) {
      log.error('passwordless email not sent', { connection: connection.name, error: error instanceof Error ? error.name : 'unknown' });
    }
  }
  return { headers };
}

/**
 * `<issuer>passwordless/verify_redirect?…` with what auth0.js's buildVerifyUrl puts there
 * (reference §7.2): the client, the connection, the identity, the code, and the authorize
 * parameters to continue with.
 */
export function magicLink(input: Pick<SendPasswordlessCodeInput, 'issuer' | 'client' | 'connection' | 'identifier' | 'authParams'>, code: string): string {
  const query = new URLSearchParams({ client_id: input.client.client_id, connection: input.connection.name });
  query.set(input.connection.strategy === 'sms' ? 'phone_number' : 'email', input.identifier);
  query.set('verification_code', code);
  for (const name of authParamNames) {
    const value = input.authParams?.[name];
    if (value !== undefined) query.set(name, value);
  }
  return `${input.issuer}passwordless/verify_redirect?${query.toString()}`;
}

function tighter(a: Record<string, string>, b: Record<string, string>): Record<string, string> {
  const remaining = (h: Record<string, string>) => Number(h['X-RateLimit-Remaining'] ?? Infinity);
  return remaining(b) < remaining(a) ? b : a;
}
