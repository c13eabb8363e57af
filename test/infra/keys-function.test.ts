import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readKeysetSecret } from '#functions/keys/keyset-secret';
import { rotationDue } from '#functions/keys/rotation-due';
import { initialKeyset } from '#shared/tokens/keyset-document';

/** A Secrets Manager client whose every call answers `outcome`. */
const fakeClient = (outcome: () => Promise<unknown>) => ({ send: outcome }) as unknown as SecretsManagerClient;

test('readKeysetSecret: an empty secret (no AWSCURRENT version) holds no keyset', async () => {
  const client = fakeClient(async () => {
    throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT", $metadata: {} });
  });
  assert.equal(await readKeysetSecret(client, 'arn'), undefined);
});

test('readKeysetSecret: a value that is not a keyset with a current key holds none', async () => {
  for (const value of ['not json', '{}', '{"keys":[]}', '{"keys":[{"kid":"a","status":"next","privateJwk":{}}]}']) {
    assert.equal(await readKeysetSecret(fakeClient(async () => ({ SecretString: value })), 'arn'), undefined, value);
  }
});

test('readKeysetSecret: a usable keyset is returned as is', async () => {
  const doc = await initialKeyset();
  const read = await readKeysetSecret(fakeClient(async () => ({ SecretString: JSON.stringify(doc) })), 'arn');
  assert.deepEqual(read, doc);
});

test('readKeysetSecret: other failures are thrown, so a keyset is never overwritten on a transient error', async () => {
  const denied = Object.assign(new Error('AccessDenied'), { name: 'AccessDeniedException' });
  await assert.rejects(readKeysetSecret(fakeClient(async () => { throw denied; }), 'arn'), /AccessDenied/);
});

test('rotationDue: only once the newest key is half a rotation period old', async () => {
  const created = new Date('2026-01-01T00:00:00Z');
  const doc = await initialKeyset(created);
  const days = (n: number) => new Date(created.getTime() + n * 86_400_000);
  assert.equal(rotationDue(doc, 30, days(1)), false, 'a retried or doubled event a day later');
  assert.equal(rotationDue(doc, 30, days(14.9)), false);
  assert.equal(rotationDue(doc, 30, days(15)), true);
  assert.equal(rotationDue(doc, 30, days(30)), true, 'the regular schedule');
  assert.equal(rotationDue(undefined, 30, days(0)), true, 'nothing to protect');
  assert.equal(rotationDue(doc, Number.NaN, days(0)), true, 'a missing setting does not block rotation');
});
