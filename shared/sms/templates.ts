import type { PasswordlessConnection } from '../connections/passwordless.ts';
import { fillTemplate } from '../mail/template-text.ts';
import type { TenantConfig } from '../tenant/model.ts';
import type { SmsMessage } from './send.ts';

/**
 * The SMS Portcullis sends, short (one 160-character segment where we can), with the tenant's
 * overrides: the sms connection's `options.template` for passwordless codes (Auth0 writes
 * `@@password@@` or `{{ code }}`), `guardianFactorTemplates` for MFA codes. Auth0's defaults
 * say the same in other words.
 */
const fallbackName = 'Portcullis';
const nameOf = (tenant: TenantConfig) => tenant.settings.friendly_name || fallbackName;

export function passwordlessSms(input: { to: string; tenant: TenantConfig; applicationName: string; connection: PasswordlessConnection; code: string; link?: string }): SmsMessage {
  const name = nameOf(input.tenant);
  const values = { code: input.code, link: input.link, 'application.name': input.applicationName, friendly_name: name, 'tenant.friendly_name': name };
  const text = input.link
    ? // A link has no template of its own in Auth0's sms connection: ours, with the app's name.
      `Open this link to log in to ${input.applicationName}: ${input.link}`
    : input.connection.smsTemplate
      ? fillTemplate(input.connection.smsTemplate, values)
      : `Your ${input.applicationName} verification code is: ${input.code}`;
  return { to: input.to, template: input.link ? 'passwordless_sms_link' : 'passwordless_sms', text, code: input.code, ...(input.link !== undefined ? { link: input.link } : {}) };
}

/** An MFA code by SMS (`enrollment` picks guardianFactorTemplates' enrollment_message over verification_message). */
export function mfaSms(input: { to: string; tenant: TenantConfig; code: string; enrollment: boolean }): SmsMessage {
  const name = nameOf(input.tenant);
  const custom = input.enrollment ? input.tenant.settings.mfa?.sms_templates?.enrollment_message : input.tenant.settings.mfa?.sms_templates?.verification_message;
  const text = custom
    ? fillTemplate(custom, { code: input.code, friendly_name: name, 'tenant.friendly_name': name })
    : input.enrollment
      ? `${input.code} is your verification code for ${name}. Enter it to confirm this phone as your second factor.`
      : `${input.code} is your verification code for ${name}.`;
  return { to: input.to, template: input.enrollment ? 'mfa_sms_enrollment' : 'mfa_sms_verification', text, code: input.code };
}
