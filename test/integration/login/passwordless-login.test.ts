import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { attackProtectionDefaults } from '../../../shared/attack-protection/settings.ts';
import { readPasswordlessConnection } from '../../../shared/connections/passwordless.ts';
import { OAuthError } from '../../../shared/errors.ts';
import { identityFailureBucket, passwordlessLogin } from '../../../shared/login/passwordless-login.ts';
import { ddb } from '../../../shared/store/ddb.ts';
import { issuePasswordlessCode } from '../../../shared/store/passwordless-codes.ts';
import { emptySettings } from '../../../shared/store/tenant-config.ts';
import { findUserByEmail, findUserByPhone, getUser, userKey } from '../../../shared/store/users.ts';
import type { AttackProtectionSettings, ConnectionRecord, TenantConfig } from '../../../shared/tenant/model.ts';
import { useLocalTables } from '../../support/local-tables.ts';
import { useSecretsKeyFile } from '../../support/secrets-key-file.ts';

/**
 * passwordlessLogin — the one passwordless login of the OTP grant, the magic link and the
 * hosted page — on DynamoDB Local with the real code store (reference §3.7, §7.1, §16.5):
 * wrong, expired, reused, killed, superseded and foreign codes all answer Auth0's one
 * invalid_grant; the first login creates the user exactly once; brute-force protection and
 * administrator blocks apply.
 */
const emailRecord = (options: Record<string, unknown> = {}, name = 'email'): ConnectionRecord => ({ name, strategy: 'email', enabled_clients: ['app', 'other'], options });
const smsRecord: ConnectionRecord = { name: 'sms', strategy: 'sms', enabled_clients: ['app'], options: {} };
const tenantWith = (bruteForce: Partial<AttackProtectionSettings['brute_force']> = {}): TenantConfig => ({
  settings: {
    ...emptySettings,
    friendly_name: 'Passwordless Test',
    attack_protection: { brute_force: { ...attackProtectionDefaults.brute_force, ...bruteForce }, suspicious_ip: attackProtectionDefaults.suspicious_ip },
  },
  clients: new Map(),
  resourceServers: new Map(),
  clientGrants: new Map(),
  connections: new Map([
    ['email', emailRecord()],
    ['sms', smsRecord],
  ]),
  customDomains: new Map(),
});

let ipCounter = 0;
const freshIp = () => `10.9.${++ipCounter % 250}.${Math.floor(Math.random() * 250)}`;
const freshEmail = () => `p-${randomUUID()}@example.com`;
const freshPhone = () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

const refusedWith = (status: number, error: string, description?: string) => (thrown: unknown) => {
  assert.ok(thrown instanceof OAuthError, `expected an OAuthError, got ${thrown}`);
  assert.equal(thrown.statusCode, status, thrown.message);
  assert.equal(thrown.error, error);
  if (description !== undefined) assert.equal(thrown.description, description);
  return true;
};
const wrongEmail = refusedWith(403, 'invalid_grant', 'Wrong email or verification code.');
const wrongPhone = refusedWith(403, 'invalid_grant', 'Wrong phone number or verification code.');

describe('passwordlessLogin on DynamoDB Local', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-pwl-'));
    // The code MAC key comes from the local secrets key file; the signing keyset is not needed.
    await useSecretsKeyFile();
    await useLocalTables({ OUTBOX_FILE: join(dir, 'outbox.jsonl') });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const email = readPasswordlessConnection(emailRecord());
  const sms = readPasswordlessConnection(smsRecord);
  const issue = (identifier: string, options: { clientId?: string; connection?: string; now?: number } = {}) =>
    issuePasswordlessCode({ connection: options.connection ?? 'email', identifier, clientId: options.clientId ?? 'app', lifetimeSeconds: 180, length: 6, ...(options.now ? { now: options.now } : {}) });
  const login = (identifier: string, code: string, options: { tenant?: TenantConfig; ip?: string; clientId?: string; connection?: typeof email } = {}) =>
    passwordlessLogin({
      tenant: options.tenant ?? tenantWith(),
      connection: options.connection ?? email,
      identifier,
      code,
      ip: options.ip ?? freshIp(),
      clientId: options.clientId ?? 'app',
      issuer: 'https://pwl.example.test/',
    });
  const wrongOf = (code: string) => String((Number(code) + 1) % 10 ** code.length).padStart(code.length, '0');

  test('the first login creates an email| user with a verified email; the next finds the same user', async () => {
    const address = freshEmail();
    const user = await login(address.toUpperCase(), await issue(address));
    assert.match(user.user_id, /^email\|[0-9a-f]{24}$/);
    assert.equal(user.email, address);
    assert.equal(user.email_verified, true);
    assert.equal(user.logins_count, 1);
    assert.equal(user.password_hash, undefined);
    const again = await login(address, await issue(address));
    assert.equal(again.user_id, user.user_id);
    assert.equal(again.logins_count, 2);
  });

  test('an sms login creates an sms| user found by its phone number', async () => {
    const phone = freshPhone();
    const user = await login(phone, await issue(phone, { connection: 'sms' }), { connection: sms });
    assert.match(user.user_id, /^sms\|[0-9a-f]{24}$/);
    assert.equal(user.phone_number, phone);
    assert.equal((await findUserByPhone('sms', phone))?.user_id, user.user_id);
    await assert.rejects(login(phone, '000000', { connection: sms }), wrongPhone);
  });

  test('wrong, expired, reused, superseded and another client’s codes are one invalid_grant', async () => {
    const address = freshEmail();
    const code = await issue(address);
    await assert.rejects(login(address, wrongOf(code)), wrongEmail, 'wrong');
    await login(address, code);
    await assert.rejects(login(address, code), wrongEmail, 'reused');

    const expired = await issue(address, { now: Date.now() - 181_000 });
    await assert.rejects(login(address, expired), wrongEmail, 'expired');

    const first = await issue(address);
    const latest = await issue(address);
    if (first !== latest) await assert.rejects(login(address, first), wrongEmail, 'only the latest code is valid');
    await login(address, latest);

    const foreign = await issue(address, { clientId: 'other' });
    await assert.rejects(login(address, foreign), wrongEmail, 'a code sent for another client');
    await assert.rejects(login(freshEmail(), '123456'), wrongEmail, 'no code at all');
    await assert.rejects(login('not-an-email', '123456'), wrongEmail, 'malformed identity');
    await assert.rejects(login(address, '1'.repeat(100_000)), wrongEmail, 'oversized code');
  });

  test('three wrong codes kill it: the right one then fails too', async () => {
    const address = freshEmail();
    const code = await issue(address);
    for (let i = 0; i < 3; i++) await assert.rejects(login(address, wrongOf(code)), wrongEmail);
    await assert.rejects(login(address, code), wrongEmail);
    assert.equal(await findUserByEmail('email', address), undefined, 'no user was created');
  });

  test('concurrent right answers: exactly one logs in, and the user is created once', async () => {
    const address = freshEmail();
    const code = await issue(address);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => login(address, code)));
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)));
    for (const r of results) if (r.status === 'rejected') assert.ok(wrongEmail(r.reason));
    const stored = await findUserByEmail('email', address);
    assert.equal(stored?.logins_count, 1);
  });

  test('disable_signup: an unknown identity cannot log in, an existing one can', async () => {
    const closed = readPasswordlessConnection(emailRecord({ disable_signup: true }));
    const address = freshEmail();
    await assert.rejects(login(address, await issue(address), { connection: closed }), wrongEmail);
    assert.equal(await findUserByEmail('email', address), undefined);
    const user = await login(address, await issue(address));
    assert.equal((await login(address, await issue(address), { connection: closed })).user_id, user.user_id);
  });

  test('a blocked user is refused with 401 unauthorized, only once the code is right', async () => {
    const address = freshEmail();
    const user = await login(address, await issue(address));
    await ddb().send(new UpdateCommand({ TableName: process.env.TABLE_USERS, Key: { pk: userKey.user(user.user_id) }, UpdateExpression: 'SET blocked = :t', ExpressionAttributeValues: { ':t': true } }));
    await assert.rejects(login(address, '000000'), wrongEmail, 'a wrong code says nothing about the block');
    await assert.rejects(login(address, await issue(address)), refusedWith(401, 'unauthorized', 'user is blocked'));
    assert.equal((await getUser(user.user_id))?.logins_count, 1);
  });

  test('brute-force protection: past max_attempts failures from one IP the pair is blocked, the right code included', async () => {
    const tenant = tenantWith({ max_attempts: 2, shields: ['block'] });
    const address = freshEmail();
    const ip = freshIp();
    for (let i = 0; i < 2; i++) await assert.rejects(login(address, `00000${i}`, { tenant, ip }), wrongEmail);
    const code = await issue(address);
    await assert.rejects(login(address, code, { tenant, ip }), refusedWith(429, 'too_many_attempts'));
    const user = await login(address, code, { tenant, ip: freshIp() });
    assert.equal(user.email, address, 'from another IP the same code still works (it was not spent by the blocked attempt)');
  });

  test('per identity, whatever the IP and however many re-sends: 10 wrong codes, then 429 too_many_attempts, the right code included', async () => {
    // brute_force_protection off: the identity's failure bucket is all that is left.
    const open = readPasswordlessConnection(emailRecord({ brute_force_protection: false }));
    const address = freshEmail();
    for (let i = 0; i < identityFailureBucket.burst; i++) {
      const code = await issue(address);
      await assert.rejects(login(address, wrongOf(code), { connection: open }), wrongEmail, `wrong answer ${i + 1}`);
    }
    const code = await issue(address);
    await assert.rejects(login(address, code, { connection: open }), (thrown: unknown) => {
      refusedWith(429, 'too_many_attempts')(thrown);
      assert.match(String((thrown as OAuthError).headers?.['Retry-After']), /^[1-9]\d*$/);
      return true;
    });
    // Another identity on the connection, and the same address on another connection, are unaffected.
    const other = freshEmail();
    assert.equal((await login(other, await issue(other), { connection: open })).email, other);
    const second = readPasswordlessConnection(emailRecord({ brute_force_protection: false }, 'email-2'));
    assert.equal((await login(address, await issue(address, { connection: 'email-2' }), { connection: second })).email, address);
  });

  test('per identity: a right code gives its token back; concurrent wrong guesses get at most 10 checks', async () => {
    const open = readPasswordlessConnection(emailRecord({ brute_force_protection: false }));
    const address = freshEmail();
    for (let i = 0; i < identityFailureBucket.burst - 1; i++) await assert.rejects(login(address, wrongOf(await issue(address)), { connection: open }), wrongEmail);
    await login(address, await issue(address), { connection: open });
    await assert.rejects(login(address, wrongOf(await issue(address)), { connection: open }), wrongEmail, 'the success did not use up the last token');

    const target = freshEmail();
    const results = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => login(target, String(i).padStart(6, '0'), { connection: open })));
    const statuses = results.map((r) => (r.status === 'rejected' && r.reason instanceof OAuthError ? r.reason.statusCode : 0));
    assert.equal(statuses.filter((s) => s === 403).length, identityFailureBucket.burst, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 429).length, 25 - identityFailureBucket.burst, JSON.stringify(statuses));
  });
});
