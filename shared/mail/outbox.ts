import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MailMessage } from './send.ts';

/**
 * The local mailbox: one JSON line per message appended to a file (`<data dir>/outbox.jsonl`
 * under `npm start`), so tests and people can pick links out of it, and one human line on
 * stdout. Only for local runs: on AWS email goes through SES and nothing of it is logged.
 */
export interface OutboxLine {
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

export async function appendToOutbox(file: string, message: MailMessage, now = new Date()): Promise<void> {
  const line: OutboxLine = {
    channel: 'email',
    to: message.to,
    template: message.template,
    subject: message.subject,
    at: now.toISOString(),
    ...(message.link !== undefined ? { link: message.link } : {}),
    ...(message.code !== undefined ? { code: message.code } : {}),
    text: message.text,
  };
  await mkdir(dirname(file), { recursive: true });
  // One write of one line (with O_APPEND): concurrent senders never interleave within a line.
  await appendFile(file, `${JSON.stringify(line)}\n`, 'utf8');
  process.stdout.write(`✉ email to ${message.to}: ${message.subject}${message.link ? ` ${message.link}` : ''}\n`);
}
