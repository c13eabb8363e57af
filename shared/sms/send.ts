/**
 * STUB (owner: helper A). Sends one SMS where runtimeConfig().sms says: Amazon SNS on AWS
 * (direct publish to the phone number), the local outbox (`OUTBOX_FILE`, channel `sms`, also
 * printed) under `npm start`, or nowhere with a warning.
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

export async function sendSms(_message: SmsMessage): Promise<void> {
  throw new Error('TODO(helper A): sendSms');
}
