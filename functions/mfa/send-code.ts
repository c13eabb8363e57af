import { OAuthError } from '#shared/errors';
import { limitByKey } from '#shared/http/keyed-rate-limit';
import { log } from '#shared/log';
import { sendMail } from '#shared/mail/send';
import { mfaEmail } from '#shared/mail/templates';
import { sendSms } from '#shared/sms/send';
import { mfaSms } from '#shared/sms/templates';
import type { AuthenticatorRecord } from '#shared/store/authenticators';
import { createOobChallenge } from '#shared/store/oob-challenges';
import type { TenantConfig } from '#shared/tenant/model';

/**
 * Starts an out-of-band challenge (SMS or email code, `binding_method: "prompt"`): stores it
 * (shared/store/oob-challenges.ts keeps only digests) and sends the 6-digit binding code. SMS
 * sends spend the user's `mfa_sms` bucket first (Auth0: 10, refilled 1/hour, §8.1/§16.3), email
 * sends the `mfa_email` one (same numbers), so a refused send stores nothing. The code goes to the message only, never to a log.
 */
export interface OobSend {
  readonly oobCode: string;
  /** `X-RateLimit-*` of the channel's send bucket, for the answer. */
  readonly rateHeaders: Record<string, string>;
}

export async function sendOobCode(input: {
  tenant: TenantConfig;
  authenticator: AuthenticatorRecord;
  clientId: string;
  enrollment: boolean;
}): Promise<OobSend> {
  const { tenant, authenticator, clientId, enrollment } = input;
  const channel = authenticator.kind;
  if (channel !== 'sms' && channel !== 'email') throw new Error(`sendOobCode: not an out-of-band authenticator (${channel})`);
  const to = channel === 'sms' ? authenticator.phone_number : authenticator.email;
  if (!to) throw new Error(`sendOobCode: authenticator ${authenticator.id} has no ${channel} address`);
  const rateHeaders = await limitByKey(tenant, channel === 'sms' ? 'mfa_sms' : 'mfa_email', authenticator.user_id);
  const { oobCode, bindingCode } = await createOobChallenge({
    user_id: authenticator.user_id,
    authenticator_id: authenticator.id,
    client_id: clientId,
    channel,
    enrollment,
  });
  try {
    if (channel === 'sms') await sendSms(mfaSms({ to, tenant, code: bindingCode, enrollment }));
    else await sendMail(mfaEmail({ to, tenantName: tenant.settings.friendly_name, code: bindingCode, enrollment }));
  } catch (error) {
    log.warn('MFA code not sent', { channel, authenticator_id: authenticator.id, error: String(error) });
    throw new OAuthError(503, 'temporarily_unavailable', `The ${channel === 'sms' ? 'SMS' : 'email'} could not be sent. Try again later.`, { cause: error });
  }
  return { oobCode, rateHeaders };
}
