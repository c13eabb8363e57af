import type { PasswordlessConnection } from '#shared/connections/passwordless';
import { limitByKey } from '#shared/http/keyed-rate-limit';
import { passwordlessEmail } from '#shared/mail/templates';
import { sendMail } from '#shared/mail/send';
import { passwordlessSms } from '#shared/sms/templates';
import { sendSms } from '#shared/sms/send';
import { issuePasswordlessCode } from '#shared/store/passwordless-codes';
import { findUserByEmail, findUserByPhone } from '#shared/store/users';
import type { PageContext } from './forms.ts';

/**
 * The hosted page's "send me a code": what `POST /passwordless/start` with `send=code` does
 * for this client (reference §7.1) — the `passwordless_start` bucket per IP (and `sms` per
 * phone number), no code for a blocked user or, when signup is disabled, for an unknown one
 * (the page answers the same either way), then a new code (the previous one dies) sent with
 * the connection's template. Returns the X-RateLimit-* headers; throws 429 too_many_requests.
 */
export async function sendLoginCode(page: PageContext, connection: PasswordlessConnection, identifier: string): Promise<Record<string, string>> {
  const { request, client } = page;
  const { tenant } = request;
  const headers = await limitByKey(tenant, 'passwordless_start', request.context.clientIp);
  if (connection.strategy === 'sms') await limitByKey(tenant, 'sms', identifier);
  const user = connection.strategy === 'sms' ? await findUserByPhone(connection.name, identifier) : await findUserByEmail(connection.name, identifier);
  if (user?.blocked || (!user && connection.disableSignup)) return headers;
  const code = await issuePasswordlessCode({
    connection: connection.name,
    identifier,
    clientId: client.client_id,
    lifetimeSeconds: connection.codeLifetimeSeconds,
    length: connection.codeLength,
  });
  if (connection.strategy === 'sms') await sendSms(passwordlessSms({ to: identifier, tenant, applicationName: client.name, connection, code }));
  else await sendMail(passwordlessEmail({ to: identifier, tenantName: tenant.settings.friendly_name, applicationName: client.name, connection, code }));
  return headers;
}
