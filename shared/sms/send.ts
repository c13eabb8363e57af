import { runtimeConfig } from '../config.ts';
import { log } from '../log.ts';
import { appendSmsToOutbox } from '../mail/outbox.ts';
import { sendWithSns } from './sns.ts';

/**
 * Sends one SMS where runtimeConfig().sms says: Amazon SNS on AWS (direct publish to the
 * phone number), the local outbox (`OUTBOX_FILE`, channel `sms`, also printed) under
 * `npm start`, or nowhere with a warning. Messages are built in ./templates.ts.
 */
export interface SmsMessage {
  /** E.164 phone number. */
  readonly to: string;
  /** Template name: `passwordless_sms`, `mfa_sms_enrollment`, `mfa_sms_verification`… (the outbox's `template`). */
  readonly template: string;
  readonly text: string;
  readonly code?: string;
  readonly link?: string;
}

export async function sendSms(message: SmsMessage): Promise<void> {
  const sms = runtimeConfig().sms;
  if (sms.kind === 'sns') return sendWithSns(sms.senderId, message);
  if (sms.kind === 'outbox') return appendSmsToOutbox(sms.file, message);
  // Never the number, the text or the code: the text carries a one-time code.
  log.warn('sms not sent: no SMS transport is configured (SMS_TRANSPORT=sns or OUTBOX_FILE)', { template: message.template });
}
