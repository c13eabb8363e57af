import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PublishCommand } from '@aws-sdk/client-sns';
import { publishInput, sendWithSns, type SnsPublisher } from '../../../../shared/sms/sns.ts';

/** SNS direct publish with a stub client: the phone number, the text, Transactional, the sender ID only when set. */
describe('sendWithSns', () => {
  const message = { to: '+15551234567', template: 'passwordless_sms', text: 'Your code is 123456', code: '123456' };

  test('publishes to the phone number (never a topic) as a Transactional SMS with the sender ID', async () => {
    const sent: PublishCommand[] = [];
    const stub: SnsPublisher = { send: async (command) => void sent.push(command) };
    await sendWithSns('ACME', message, stub);
    assert.equal(sent.length, 1);
    assert.ok(sent[0] instanceof PublishCommand);
    const input = sent[0]!.input;
    assert.equal(input.PhoneNumber, '+15551234567');
    assert.equal(input.TopicArn, undefined);
    assert.equal(input.TargetArn, undefined);
    assert.equal(input.Message, 'Your code is 123456');
    assert.deepEqual(input.MessageAttributes, {
      'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
      'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'ACME' },
    });
  });

  test('no sender ID attribute when none is configured', () => {
    assert.deepEqual(Object.keys(publishInput(message, undefined).MessageAttributes ?? {}), ['AWS.SNS.SMS.SMSType']);
  });

  test('a provider failure reaches the caller (it answers sms_provider_error)', async () => {
    const failing: SnsPublisher = {
      send: async () => {
        throw Object.assign(new Error('Invalid parameter: PhoneNumber'), { name: 'InvalidParameterException' });
      },
    };
    await assert.rejects(sendWithSns(undefined, message, failing), { name: 'InvalidParameterException' });
  });
});
