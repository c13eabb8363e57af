import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { MailMessage } from './send.ts';

/**
 * Amazon SES (v2 API) from the tenant's verified sender identity. The client is made at the
 * first message, not at import: most invocations of a function never send email.
 */
let client: SESv2Client | undefined;

export async function sendWithSes(from: string, message: MailMessage): Promise<void> {
  client ??= new SESv2Client({});
  await client.send(
    new SendEmailCommand({
      FromEmailAddress: from,
      Destination: { ToAddresses: [message.to] },
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
        },
      },
    }),
  );
}
