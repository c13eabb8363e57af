import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SmsMessage } from '../sms/send.ts';
import type { MailMessage } from './send.ts';

/**
 * The local mailbox: one JSON line per message appended to a file (`<data dir>/outbox.jsonl`
 * under `npm start`), so tests and people can pick links and codes out of it, and one human
 * line on stdout. Email and SMS share it (`channel`); an SMS has no subject. Only for local
 * runs: on AWS email goes through SES, SMS through SNS, and nothing of either is logged.
 */
export type OutboxLine =
  | {
      readonly channel: 'email';
      readonly to: string;
      readonly template: string;
      readonly subject: string;
      /** ISO time of sending. */
      readonly at: string;
      readonly link?: string;
      readonly code?: string;
      readonly text: string;
    }
  | {
      readonly channel: 'sms';
      readonly to: string;
      readonly template: string;
      readonly at: string;
      readonly link?: string;
      readonly code?: string;
      readonly text: string;
    };

export async function appendToOutbox(file: string, message: MailMessage, now = new Date()): Promise<void> {
  const line: OutboxLine = {
    channel: 'email',
    to: message.to,
    template: message.template,
    subject: message.subject,
    at: now.toISOString(),
    ...extras(message),
    text: message.text,
  };
  await appendLine(file, line);
  process.stdout.write(`✉ email to ${message.to}: ${message.subject}${message.link ? ` ${message.link}` : ''}\n`);
}

/** The same outbox for SMS: `channel: 'sms'`, no subject, the text printed as a phone shows it. */
export async function appendSmsToOutbox(file: string, message: SmsMessage, now = new Date()): Promise<void> {
  const line: OutboxLine = { channel: 'sms', to: message.to, template: message.template, at: now.toISOString(), ...extras(message), text: message.text };
  await appendLine(file, line);
  process.stdout.write(`✆ sms to ${message.to}: ${message.text.replace(/\s+/g, ' ')}\n`);
}

function extras(message: { link?: string; code?: string }): { link?: string; code?: string } {
  return {
    ...(message.link !== undefined ? { link: message.link } : {}),
    ...(message.code !== undefined ? { code: message.code } : {}),
  };
}

async function appendLine(file: string, line: OutboxLine): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // One write of one line (with O_APPEND): concurrent senders never interleave within a line.
  await appendFile(file, `${JSON.stringify(line)}\n`, 'utf8');
}
