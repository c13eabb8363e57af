import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { readPasswordlessConnection } from '../../../shared/connections/passwordless.ts';
import { resetRuntimeConfig } from '../../../shared/config.ts';
import { isOAuthError } from '../../../shared/errors.ts';
import { sendPasswordlessCode } from '../../../shared/login/passwordless-start.ts';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../../shared/store/ddb.ts';
import { verifyPasswordlessCode } from '../../../shared/store/passwordless-codes.ts';
import { createUser, type NewUser } from '../../../shared/store/users.ts';
import { clientDefaults, type ClientRecord, type TenantConfig } from '../../../shared/tenant/model.ts';
import { useLocalTables } from '../../support/local-tables.ts';
import { useSecretsKeyFile } from '../../support/secrets-key-file.ts';

/**
 * sendPasswordlessCode on DynamoDB Local, as the hosted page calls it: the code it sends is the
 * one the store verifies; an SMS the provider refuses is Auth0's 400 `sms_provider_error`
 * naming the provider's error, never the number.
 */
const client: ClientRecord = {
  ...clientDefaults,
  client_id: 'app',
  name: 'Shop',
  is_first_party: true,
  grant_types: ['http://auth0.com/oauth/grant-type/passwordless/otp'],
  token_endpoint_auth_method: 'none',
  require_proof_of_possession: false,
  is_token_endpoint_ip_header_trusted: false,
  extra: {},
};
const tenant = { settings: { friendly_name: 'Acme', mtls: { enable_endpoint_aliases: false }, rate_limits: {}, extra: {} }, clients: new Map([['app', client]]) } as unknown as TenantConfig;
const email = readPasswordlessConnection({ name: 'email', strategy: 'email', enabled_clients: ['app'], options: {} });
const sms = readPasswordlessConnection({ name: 'sms', strategy: 'sms', enabled_clients: ['app'], options: {} });
const closed = readPasswordlessConnection({ name: 'closed', strategy: 'email', enabled_clients: ['app'], options: { disable_signup: true } });

/** A port nothing listens on: SNS calls there fail at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('sendPasswordlessCode (DynamoDB Local)', () => {
  let outbox: string;
  before(async () => {
    // The code MAC key comes from the local secrets key file; the signing keyset is not needed.
    await useSecretsKeyFile();
    outbox = join(await mkdtemp(join(tmpdir(), 'portcullis-pwl-')), 'outbox.jsonl');
    await useLocalTables({ OUTBOX_FILE: outbox });
  });

  test('the emailed code is the one the store verifies, for this client; headers of the tighter bucket (the inbox’s 10, not the IP’s 50)', async () => {
    const to = `start-${Date.now()}@example.com`;
    const { headers } = await sendPasswordlessCode({ tenant, issuer: 'https://auth.example/', client, connection: email, identifier: to, send: 'code', ip: '192.0.2.1' });
    assert.equal(headers['X-RateLimit-Limit'], '10');
    assert.equal(headers['X-RateLimit-Remaining'], '9');
    const line = (await readFile(outbox, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { to: string; code: string }).find((l) => l.to === to);
    assert.ok(line);
    assert.deepEqual(await verifyPasswordlessCode({ connection: 'email', identifier: to, clientId: 'app', code: line.code }), { ok: true });
  });

  test('nothing sent, same work: a blocked user and an unknown identity on a disable_signup connection cost the same DynamoDB calls as a sent code, and store nothing', async () => {
    const recorded: string[] = [];
    const recorder = 'pwl-timing-recorder';
    // A fresh IP per run, never a repeat: a second request from one IP may be served by the
    // rate-limit lease the first one wrote, one UpdateItem fewer (a random IP made this flaky).
    let runs = 0;
    const run = async (connection: typeof email, identifier: string) => {
      recorded.length = 0;
      runs += 1;
      await sendPasswordlessCode({ tenant, issuer: 'https://auth.example/', client, connection, identifier, send: 'code', ip: `198.51.100.${runs}` });
      return [...recorded];
    };
    const stored = async (address: string, blocked: boolean) => {
      const created = await createUser({ connection: 'email', email: address, email_verified: true, user_metadata: {}, app_metadata: {}, blocked } as NewUser, { idPrefix: 'email' });
      assert.ok(created.ok);
      return address;
    };
    const member = await stored(`member-${Date.now()}@example.com`, false);
    const blocked = await stored(`blocked-${Date.now()}@example.com`, true);
    ddb().middlewareStack.add((next, context) => async (args) => {
      recorded.push(String(context.commandName));
      return next(args);
    }, { step: 'initialize', name: recorder });
    try {
      // The lookup reads one item for an unknown identity and two for a user: compare like with like.
      const toNewcomer = await run(email, `sent-${Date.now()}@example.com`);
      assert.ok(toNewcomer.includes('PutItemCommand'), JSON.stringify(toNewcomer));
      assert.deepEqual(await run(closed, `nobody-${Date.now()}@example.com`), toNewcomer, 'unknown identity, signup disabled');
      const toMember = await run(email, member);
      assert.ok(toMember.includes('PutItemCommand'), JSON.stringify(toMember));
      assert.deepEqual(await run(email, blocked), toMember, 'blocked user');
    } finally {
      ddb().middlewareStack.remove(recorder);
    }
    const decoys = await ddb().send(new ScanCommand({ TableName: process.env.TABLE_CODES, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': 'pwdless-decoy#' } }));
    assert.equal(decoys.Count, 0, 'the decoy write never lands');
  });

  test('an SMS the provider refuses: 400 sms_provider_error, without the phone number', async () => {
    process.env.SMS_TRANSPORT = 'sns';
    process.env.AWS_ENDPOINT_URL_SNS = `http://127.0.0.1:${await closedPort()}`;
    process.env.AWS_MAX_ATTEMPTS = '1';
    resetRuntimeConfig();
    try {
      await assert.rejects(
        sendPasswordlessCode({ tenant, issuer: 'https://auth.example/', client, connection: sms, identifier: '+15550109999', send: 'code', ip: '192.0.2.2' }),
        (error: unknown) => {
          assert.ok(isOAuthError(error));
          assert.equal(error.statusCode, 400);
          assert.equal(error.error, 'sms_provider_error');
          assert.match(error.description, /\(Code: \d+\)$/);
          assert.doesNotMatch(error.description, /15550109999/);
          return true;
        },
      );
    } finally {
      delete process.env.SMS_TRANSPORT;
      delete process.env.AWS_ENDPOINT_URL_SNS;
      delete process.env.AWS_MAX_ATTEMPTS;
      resetRuntimeConfig();
    }
  });
});
