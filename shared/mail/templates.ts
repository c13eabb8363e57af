import type { MailMessage } from './send.ts';
import { fillTemplate } from './template-text.ts';

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

/** How long a code lives, in words ("3 minutes", "1 hour"). */
function lifetimeWords(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/**
 * A passwordless code, or the magic link when `send=link` (the code is inside the link then).
 * The connection's `options.email.subject` / `body` replace ours when set (Auth0's email
 * connection template), with `{{ code }}`, `{{ link }}`, `{{ application.name }}` and
 * `{{ friendly_name }}` filled in (./template-text.ts). `options.email.from` is not used: SES
 * sends from the tenant's verified identity only.
 */
export function passwordlessEmail(input: {
  to: string;
  tenantName: string | undefined;
  applicationName: string;
  connection: import('../connections/passwordless.ts').PasswordlessConnection;
  code: string;
  link?: string;
}): MailMessage {
  const name = input.tenantName || fallbackName;
  const values = { code: input.code, link: input.link, 'application.name': input.applicationName, friendly_name: name, 'tenant.friendly_name': name, email: input.to };
  const custom = input.connection.emailTemplate;
  const lifetime = lifetimeWords(input.connection.codeLifetimeSeconds);
  const subject = custom?.subject ? fillTemplate(custom.subject, values) : input.link ? `Log in to ${input.applicationName}` : `Your ${name} verification code`;
  const text = custom?.body
    ? withWhatItCarries(fillTemplate(custom.body, values), input.link ?? input.code)
    : input.link
      ? [
          'Hello,',
          '',
          `To log in to ${input.applicationName} as ${input.to}, open this link:`,
          '',
          input.link,
          '',
          `It works once and expires in ${lifetime}. If you did not ask for it, ignore this email.`,
        ].join('\n')
      : [
          'Hello,',
          '',
          `Your code to log in to ${input.applicationName} is:`,
          '',
          input.code,
          '',
          `It works once and expires in ${lifetime}. If you did not ask for it, ignore this email.`,
        ].join('\n');
  return {
    to: input.to,
    template: input.link ? 'passwordless_link' : 'passwordless_code',
    // The subject line is a single line whatever a template says (no header injection into SES).
    subject: subject.replace(/[\r\n]+/g, ' ').trim().slice(0, 200) || `Your ${name} verification code`,
    text,
    code: input.code,
    ...(input.link !== undefined ? { link: input.link } : {}),
  };
}

/**
 * A tenant's body that leaves out `{{ link }}` (or `{{ code }}` when a code is sent) would send
 * an email nobody can log in with: the link or code is appended then (the tenant file cannot
 * be refused for it — one body serves both `send` values).
 */
function withWhatItCarries(text: string, carried: string): string {
  return text.includes(carried) ? text : `${text.trimEnd()}\n\n${carried}`;
}

/** An MFA one-time code by email, for an enrolment (`mfa_email_enrollment`) or a challenge (`mfa_email_verification`). */
export function mfaEmail(input: { to: string; tenantName: string | undefined; code: string; enrollment: boolean }): MailMessage {
  const name = input.tenantName || fallbackName;
  return {
    to: input.to,
    template: input.enrollment ? 'mfa_email_enrollment' : 'mfa_email_verification',
    subject: `${input.code} is your ${name} verification code`,
    code: input.code,
    text: [
      'Hello,',
      '',
      input.enrollment
        ? `Enter this code to add ${input.to} as a second factor of your ${name} account:`
        : `Enter this code to finish logging in to your ${name} account:`,
      '',
      input.code,
      '',
      'If you did not ask for it, someone may know your password: consider changing it.',
    ].join('\n'),
  };
}
