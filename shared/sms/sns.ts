import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SmsMessage } from './send.ts';

/**
 * Amazon SNS direct publish to a phone number (no topic: the functions may publish to phone
 * numbers only, infra/). `Transactional` SMS are delivered with priority and are what one-time
 * codes are; the sender ID (where the destination country supports one) is the tenant's.
 * The client is made at the first message, not at import: most invocations send no SMS.
 */
export interface SnsPublisher {
  send(command: PublishCommand): Promise<unknown>;
}

let client: SnsPublisher | undefined;

/** The PublishCommand input for one SMS (exported for tests). */
export function publishInput(message: SmsMessage, senderId: string | undefined): PublishCommand['input'] {
  return {
    PhoneNumber: message.to,
    Message: message.text,
    MessageAttributes: {
      'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
      ...(senderId ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: senderId } } : {}),
    },
  };
}

export async function sendWithSns(senderId: string | undefined, message: SmsMessage, publisher?: SnsPublisher): Promise<void> {
  const target = publisher ?? (client ??= new SNSClient({}));
  await target.send(new PublishCommand(publishInput(message, senderId)));
}
