/**
 * STUB (owned by the users/dbconnections helper): sends one email — Amazon SES on AWS, the
 * local outbox (`OUTBOX_FILE`, one JSON line per message, also printed) otherwise.
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

export async function sendMail(_message: MailMessage): Promise<void> {
  throw new Error('sendMail: not implemented yet');
}
