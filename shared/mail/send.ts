import { runtimeConfig } from '../config.ts';
import { log } from '../log.ts';
import { appendToOutbox } from './outbox.ts';
import { sendWithSes } from './ses.ts';

/**
 * Sends one email where runtimeConfig().mail says: Amazon SES on AWS, the local outbox
 * (`OUTBOX_FILE`, one JSON line per message, also printed) under `npm start`, or nowhere with
 * a warning when neither is configured. Messages are built in ./templates.ts.
 */
export interface MailMessage {
  readonly to: string;
  /** Template name: `reset_password`, `blocked_account`, … (the outbox's `template`). */
  readonly template: string;
  readonly subject: string;
  readonly text: string;
  /** The link the message carries, if any (written to the outbox as `link`). */
  readonly link?: string;
  /** The code the message carries, if any (written to the outbox as `code`). */
  readonly code?: string;
}

export async function sendMail(message: MailMessage): Promise<void> {
  const mail = runtimeConfig().mail;
  if (mail.kind === 'ses') return sendWithSes(mail.from, message);
  if (mail.kind === 'outbox') return appendToOutbox(mail.file, message);
  // Never the text or the link: they carry one-time tickets.
  log.warn('email not sent: no mail transport is configured (SES_FROM_ADDRESS or OUTBOX_FILE)', { template: message.template });
}
