import { OAuthError } from '#shared/errors';
import { limitByKey } from '#shared/http/keyed-rate-limit';
import { log } from '#shared/log';
import { sendMail } from '#shared/mail/send';
import { mfaEmail } from '#shared/mail/templates';
import { sendSms } from '#shared/sms/send';
import { mfaSms } from '#shared/sms/templates';
import type { AuthenticatorRecord } from '#shared/store/authenticators';
import { createOobChallenge } from '#shared/store/oob-challenges';
import type { PageContext } from './forms.ts';

/**
 * Sends a one-time code by SMS or email for an MFA page (enrolment or challenge): the
 * challenge is stored first (only digests: shared/store/oob-challenges.ts), then the 6-digit
 * binding code goes to the phone or mailbox — never to a log. SMS sends spend the user's
 * `mfa_sms` bucket (Auth0: 10, refilled 1/hour, reference §8.1), email sends `mfa_email`, the
 * same ones the MFA API spends, so the page is no way around them; a refused send stores nothing. Returns the
 * `oob_code` the page's form carries back (it names the challenge; the code is the secret).
 */
export async function sendPageCode(page: PageContext, authenticator: AuthenticatorRecord, enrollment: boolean): Promise<string> {
  const { tenant } = page.request;
  const channel = authenticator.kind;
  if (channel !== 'sms' && channel !== 'email') throw new Error(`sendPageCode: not an out-of-band authenticator (${channel})`);
  const to = channel === 'sms' ? authenticator.phone_number : authenticator.email;
  if (!to) throw new Error(`sendPageCode: authenticator ${authenticator.id} has no ${channel} address`);
  await limitByKey(tenant, channel === 'sms' ? 'mfa_sms' : 'mfa_email', authenticator.user_id);
  const { oobCode, bindingCode } = await createOobChallenge({
    user_id: authenticator.user_id,
    authenticator_id: authenticator.id,
    client_id: page.client.client_id,
    channel,
    enrollment,
  });
  try {
    if (channel === 'sms') await sendSms(mfaSms({ to, tenant, code: bindingCode, enrollment }));
    else await sendMail(mfaEmail({ to, tenantName: page.tenantName, code: bindingCode, enrollment }));
  } catch (error) {
    log.warn('MFA code not sent', { channel, authenticator_id: authenticator.id, error: String(error) });
    throw new OAuthError(503, 'temporarily_unavailable', `The ${channel === 'sms' ? 'text message' : 'email'} could not be sent. Try again later.`, { cause: error });
  }
  return oobCode;
}

/** How a phone number or an email shows on a page: enough to recognise, not to read off a shoulder. */
export function maskedAddress(authenticator: AuthenticatorRecord): string {
  if (authenticator.kind === 'sms' && authenticator.phone_number) return `••••${authenticator.phone_number.slice(-4)}`;
  if (authenticator.kind === 'email' && authenticator.email) {
    const [local = '', domain = ''] = authenticator.email.split('@');
    return `${local.slice(0, 1)}•••@${domain}`;
  }
  return '';
}
