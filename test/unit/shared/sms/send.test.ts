import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resetRuntimeConfig } from '../../../../shared/config.ts';
import { sendMail } from '../../../../shared/mail/send.ts';
import { sendSms } from '../../../../shared/sms/send.ts';

/** sendSms by configuration: the shared local outbox (channel sms, no subject, beside emails) or a warning only. */
const baseEnv = {
  ISSUER: 'http://localhost:3000/',
  KEYSET_FILE: '/nonexistent/keyset.json',
  TABLE_CLIENTS: 'c',
  TABLE_USERS: 'u',
  TABLE_CODES: 'k',
  TABLE_RATE_LIMITS: 'r',
  TABLE_SESSIONS: 's',
  TABLE_REFRESH_TOKENS: 't',
  TABLE_AUTHENTICATORS: 'a',
};

async function capture(fn: () => Promise<void>): Promise<string> {
  let out = '';
  const writes = [process.stdout.write, process.stderr.write];
  const grab = (original: typeof process.stdout.write, stream: NodeJS.WriteStream) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof chunk !== 'string') return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      out += chunk;
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = grab(writes[0]!, process.stdout);
  process.stderr.write = grab(writes[1]!, process.stderr);
  try {
    await fn();
  } finally {
    [process.stdout.write, process.stderr.write] = writes as [typeof process.stdout.write, typeof process.stderr.write];
  }
  return out;
}

describe('sendSms', () => {
  let dir: string;
  const saved = { ...process.env };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-sms-'));
  });
  after(async () => {
    process.env = saved;
    resetRuntimeConfig();
    await rm(dir, { recursive: true, force: true });
  });

  test('outbox: an SMS line (no subject) in the same file as emails, and one human line', async () => {
    const file = join(dir, 'outbox.jsonl');
    process.env = { ...saved, ...baseEnv, OUTBOX_FILE: file };
    delete process.env.SMS_TRANSPORT;
    delete process.env.SES_FROM_ADDRESS;
    resetRuntimeConfig();
    const printed = await capture(async () => {
      await sendMail({ to: 'joe@example.com', template: 'code', subject: 'S', text: 'T', code: '1' });
      await sendSms({ to: '+15551234567', template: 'passwordless_sms', text: 'Your code:\n123456', code: '123456' });
    });
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => l.channel), ['email', 'sms']);
    const sms = lines[1]!;
    assert.deepEqual(Object.keys(sms), ['channel', 'to', 'template', 'at', 'code', 'text']);
    assert.equal(sms.to, '+15551234567');
    assert.equal(sms.code, '123456');
    assert.equal(sms.text, 'Your code:\n123456');
    assert.match(String(sms.at), /^\d{4}-\d\d-\d\dT/);
    assert.match(printed, /^✆ sms to \+15551234567: Your code: 123456$/m);
  });

  test('no transport configured: a warning naming the template, never the number or the text', async () => {
    process.env = { ...saved, ...baseEnv };
    delete process.env.OUTBOX_FILE;
    delete process.env.SMS_TRANSPORT;
    resetRuntimeConfig();
    const printed = await capture(() => sendSms({ to: '+15559876543', template: 'passwordless_sms', text: 'code SECRET7', code: 'SECRET7' }));
    assert.match(printed, /"level":"warn"/);
    assert.match(printed, /passwordless_sms/);
    assert.doesNotMatch(printed, /SECRET7|15559876543/);
  });
});
