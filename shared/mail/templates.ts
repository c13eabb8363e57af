import type { MailMessage } from './send.ts';

/**
 * The emails Portcullis sends, as plain text: what Auth0's default templates say, in our own
 * words, with the tenant's friendly name in the subject (Auth0 puts `{{ friendly_name }}` there).
 * Each returns a whole message for sendMail; the link is also given apart, for the outbox.
 */
const fallbackName = 'Portcullis';

export function resetPasswordMail(input: { to: string; tenantName: string | undefined; link: string; ttlHours: number }): MailMessage {
  const name = input.tenantName || fallbackName;
  return {
    to: input.to,
    template: 'reset_password',
    subject: `Reset your ${name} password`,
    link: input.link,
    text: [
      'Hello,',
      '',
      `Someone asked to reset the password of your ${name} account (${input.to}). To choose a new password, open this link:`,
      '',
      input.link,
      '',
      `The link works once and expires in ${input.ttlHours} hours. If you did not ask for this, ignore this email: your password stays as it is.`,
    ].join('\n'),
  };
}

export function blockedAccountMail(input: { to: string; tenantName: string | undefined; link: string; ip?: string }): MailMessage {
  const name = input.tenantName || fallbackName;
  return {
    to: input.to,
    template: 'blocked_account',
    subject: `Your ${name} account has been blocked`,
    link: input.link,
    text: [
      'Hello,',
      '',
      `We blocked logins to your ${name} account (${input.to})${input.ip ? ` from ${input.ip}` : ''} after several failed attempts in a row.`,
      'If it was you, open this link to unblock your account:',
      '',
      input.link,
      '',
      'If it was not you, someone may be guessing your password: consider changing it.',
    ].join('\n'),
  };
}

/** STUB (owner: helper A): a passwordless code (and the magic link when `send=link`), with the connection's `options.email` overrides. */
export function passwordlessEmail(_input: {
  to: string;
  tenantName: string | undefined;
  applicationName: string;
  connection: import('../connections/passwordless.ts').PasswordlessConnection;
  code: string;
  link?: string;
}): MailMessage {
  throw new Error('TODO(helper A): passwordlessEmail');
}

/** STUB (owner: helper A): an MFA one-time code by email (enrolment or challenge). */
export function mfaEmail(_input: { to: string; tenantName: string | undefined; code: string; enrollment: boolean }): MailMessage {
  throw new Error('TODO(helper A): mfaEmail');
}
