import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import bcrypt from 'bcryptjs';
import { attackProtectionDefaults } from '../../../shared/attack-protection/settings.ts';
import { databaseConnection } from '../../../shared/connections/database.ts';
import { hashPassword } from '../../../shared/crypto/password.ts';
import { OAuthError } from '../../../shared/errors.ts';
import { passwordLogin } from '../../../shared/login/password-login.ts';
import { ddb } from '../../../shared/store/ddb.ts';
import { emptySettings } from '../../../shared/store/tenant-config.ts';
import { createUser, getUser, updateUser, userKey } from '../../../shared/store/users.ts';
import type { AttackProtectionSettings, ConnectionRecord, TenantConfig } from '../../../shared/tenant/model.ts';
import { useLocalTables } from '../../support/local-tables.ts';

/**
 * passwordLogin, the one username/password login of the grants and the login page, on
 * DynamoDB Local with real argon2id and bcrypt hashes (reference §16.5, §16.6): the order of
 * its checks, what each refusal says, and what a success writes.
 */
type Protection = {
  brute_force?: Partial<AttackProtectionSettings['brute_force']>;
  suspicious_ip?: Partial<AttackProtectionSettings['suspicious_ip']>;
};
const connectionRecord = (options: Record<string, unknown> = {}): ConnectionRecord => ({ name: 'Users', strategy: 'auth0', enabled_clients: ['app'], options });
const tenantWith = (protection: Protection = {}): TenantConfig => ({
  settings: {
    ...emptySettings,
    friendly_name: 'Login Test',
    attack_protection: {
      brute_force: { ...attackProtectionDefaults.brute_force, ...protection.brute_force },
      suspicious_ip: { ...attackProtectionDefaults.suspicious_ip, ...protection.suspicious_ip },
    },
  },
  clients: new Map(),
  resourceServers: new Map(),
  clientGrants: new Map(),
  connections: new Map([['Users', connectionRecord()]]),
  customDomains: new Map(),
});

const password = 'Correct-Horse-Battery-9';
let ipCounter = 0;
/** A fresh end-user IP per test, so no test spends another one's budgets. */
const freshIp = () => `10.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}.${Math.floor(Math.random() * 250)}`;

async function newUser(passwordHash: string, extra: Record<string, unknown> = {}) {
  const email = `u-${randomUUID()}@example.com`;
  const created = await createUser({ connection: 'Users', email, password_hash: passwordHash, email_verified: true, user_metadata: {}, app_metadata: {} });
  assert.ok(created.ok);
  if (Object.keys(extra).length > 0) {
    // Fields only an administrator sets (`blocked`), written the way the Management API would.
    await ddb().send(
      new UpdateCommand({
        TableName: process.env.TABLE_USERS,
        Key: { pk: userKey.user(created.userId) },
        UpdateExpression: `SET ${Object.keys(extra).map((k, i) => `#k${i} = :v${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(Object.keys(extra).map((k, i) => [`#k${i}`, k])),
        ExpressionAttributeValues: Object.fromEntries(Object.values(extra).map((v, i) => [`:v${i}`, v])),
      }),
    );
  }
  return { email, userId: created.userId };
}

const refusedWith = (status: number, error: string, description?: string) => (thrown: unknown) => {
  assert.ok(thrown instanceof OAuthError, `expected an OAuthError, got ${thrown}`);
  assert.equal(thrown.statusCode, status, thrown.message);
  assert.equal(thrown.error, error);
  if (description !== undefined) assert.equal(thrown.description, description);
  return true;
};
const wrong = refusedWith(403, 'invalid_grant', 'Wrong email or password.');
const blocked = refusedWith(429, 'too_many_attempts', "Your account has been blocked after multiple consecutive login attempts. We've sent you an email with instructions on how to unblock it.");
const suspicious = refusedWith(429, 'too_many_attempts', 'We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.');

describe('passwordLogin on DynamoDB Local', () => {
  let argon2Hash: string;
  let outboxDir: string;
  const outbox = async () =>
    (await readFile(join(outboxDir, 'outbox.jsonl'), 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { to: string; template: string; link?: string });

  before(async () => {
    outboxDir = await mkdtemp(join(tmpdir(), 'portcullis-login-'));
    await useLocalTables({ OUTBOX_FILE: join(outboxDir, 'outbox.jsonl') });
    argon2Hash = await hashPassword(password);
  });
  after(() => rm(outboxDir, { recursive: true, force: true }));

  const login = (tenant: TenantConfig, identifier: string, pw: string, ip: string, connection = databaseConnection(connectionRecord())) =>
    passwordLogin({ tenant, connection, identifier, password: pw, ip, clientId: 'app', issuer: 'https://login.example.test/' });

  test('a success returns the user and records last_login and logins_count', async () => {
    const { email, userId } = await newUser(argon2Hash);
    const tenant = tenantWith();
    const ip = freshIp();
    const first = await login(tenant, email.toUpperCase(), password, ip);
    assert.equal(first.user_id, userId);
    assert.equal(first.logins_count, 1);
    await login(tenant, email, password, ip);
    const stored = await getUser(userId);
    assert.equal(stored?.logins_count, 2);
    assert.ok(stored?.last_login && Date.parse(stored.last_login) > Date.now() - 60_000);
    assert.equal(stored?.password_hash, argon2Hash, 'a current argon2id hash is kept');
  });

  test('an imported bcrypt hash logs in and is replaced by argon2id', async () => {
    const { email, userId } = await newUser(bcrypt.hashSync(password, 4));
    const ip = freshIp();
    await login(tenantWith(), email, password, ip);
    const rehashed = (await getUser(userId))?.password_hash ?? '';
    assert.match(rehashed, /^\$argon2id\$/);
    await login(tenantWith(), email, password, ip);
    assert.equal((await getUser(userId))?.password_hash, rehashed, 'rehashed once');
    await assert.rejects(login(tenantWith(), email, 'wrong', ip), wrong);
  });

  test('a wrong password and an unknown identifier are the same 403 invalid_grant', async () => {
    const { email } = await newUser(argon2Hash);
    const ip = freshIp();
    await assert.rejects(login(tenantWith(), email, 'wrong', ip), wrong);
    await assert.rejects(login(tenantWith(), `nobody-${randomUUID()}@example.com`, password, ip), wrong);
    await assert.rejects(login(tenantWith(), 'no-such-username', password, ip), wrong);
  });

  test('an administrator-blocked user: "user is blocked" only with the right password', async () => {
    const { email } = await newUser(argon2Hash, { blocked: true });
    const ip = freshIp();
    await assert.rejects(login(tenantWith(), email, 'wrong', ip), wrong);
    await assert.rejects(login(tenantWith(), email, password, ip), refusedWith(401, 'unauthorized', 'user is blocked'));
  });

  test('max_attempts failures block the pair, even for the right password; one email carries the unblock link', async () => {
    const { email } = await newUser(argon2Hash);
    const tenant = tenantWith({ brute_force: { max_attempts: 3 } });
    const ip = freshIp();
    for (let i = 0; i < 3; i++) await assert.rejects(login(tenant, email, `wrong-${i}`, ip), wrong);
    await assert.rejects(login(tenant, email, password, ip), blocked);
    await login(tenant, email, password, freshIp()); // another IP is another pair
    const mails = (await outbox()).filter((m) => m.to === email);
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.template, 'blocked_account');
    assert.match(mails[0]!.link ?? '', /^https:\/\/login\.example\.test\/u\/unblock\?ticket=[A-Za-z0-9_-]{43}$/);
  });

  test("a password reset (the user's unblocked_at) lifts the block; failures after it count from 1", async () => {
    const { email, userId } = await newUser(argon2Hash);
    const tenant = tenantWith({ brute_force: { max_attempts: 2 } });
    const ip = freshIp();
    for (let i = 0; i < 2; i++) await assert.rejects(login(tenant, email, 'wrong', ip), wrong);
    await assert.rejects(login(tenant, email, password, ip), blocked);
    await new Promise((r) => setTimeout(r, 5));
    await updateUser(userId, { unblocked_at: new Date().toISOString() });
    await assert.rejects(login(tenant, email, 'wrong', ip), wrong, 'one failure after the reset: not blocked yet');
    await login(tenant, email, password, ip);
    // Blocked again after two new failures, but the hour since the first email has not passed: no second one.
    for (let i = 0; i < 2; i++) await assert.rejects(login(tenant, email, 'wrong', ip), wrong);
    await assert.rejects(login(tenant, email, password, ip), blocked);
    assert.equal((await outbox()).filter((m) => m.to === email).length, 1, 'at most one notice an hour per IP and identifier');
  });

  test('20 concurrent wrong passwords at a threshold of 10: exactly 10 are checked, the others are refused as blocked', async () => {
    const { email } = await newUser(argon2Hash);
    const tenant = tenantWith({ brute_force: { max_attempts: 10 } });
    const ip = freshIp();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => login(tenant, email, 'wrong', ip).then(() => 'ok', (e: OAuthError) => e.error)));
    assert.equal(outcomes.filter((o) => o === 'invalid_grant').length, 10);
    assert.equal(outcomes.filter((o) => o === 'too_many_attempts').length, 10);
    await assert.rejects(login(tenant, email, password, ip), blocked);
  });

  test('12 concurrent failures from one IP with a budget of 5: exactly 5 are checked, the others are refused as suspicious', async () => {
    const tenant = tenantWith({ brute_force: { enabled: false }, suspicious_ip: { pre_login: { max_attempts: 5, rate: 864_000 } } });
    const ip = freshIp();
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => login(tenant, `nobody-${i}@example.com`, 'wrong', ip).then(() => 'ok', (e: OAuthError) => e.description)));
    assert.equal(outcomes.filter((o) => o === 'Wrong email or password.').length, 5);
    assert.equal(outcomes.filter((o) => o.startsWith('We have detected suspicious login behavior')).length, 7);
  });

  test('count_per_identifier: failures from any IP add up and block the identifier everywhere', async () => {
    const { email } = await newUser(argon2Hash);
    const tenant = tenantWith({ brute_force: { max_attempts: 3, mode: 'count_per_identifier' } });
    for (let i = 0; i < 3; i++) await assert.rejects(login(tenant, email, 'wrong', freshIp()), wrong);
    await assert.rejects(login(tenant, email, password, freshIp()), blocked);
  });

  test('brute-force protection off (tenant, or the connection\'s brute_force_protection: false), or an allowlisted IP: never blocked', async () => {
    const { email } = await newUser(argon2Hash);
    const cases: [TenantConfig, ReturnType<typeof databaseConnection>, string][] = [
      [tenantWith({ brute_force: { max_attempts: 1, enabled: false } }), databaseConnection(connectionRecord()), freshIp()],
      [tenantWith({ brute_force: { max_attempts: 1 } }), databaseConnection(connectionRecord({ brute_force_protection: false })), freshIp()],
      [tenantWith({ brute_force: { max_attempts: 1, allowlist: ['172.16.0.0/12'] } }), databaseConnection(connectionRecord()), '172.20.1.2'],
    ];
    for (const [tenant, connection, ip] of cases) {
      for (let i = 0; i < 3; i++) await assert.rejects(login(tenant, email, 'wrong', ip, connection), wrong);
      await login(tenant, email, password, ip, connection);
    }
  });

  test('without the block shield, failures are counted but never block (monitoring)', async () => {
    const { email } = await newUser(argon2Hash);
    const tenant = tenantWith({ brute_force: { max_attempts: 1, shields: ['user_notification'] } });
    const ip = freshIp();
    for (let i = 0; i < 3; i++) await assert.rejects(login(tenant, email, 'wrong', ip), wrong);
    await login(tenant, email, password, ip);
  });

  test('suspicious IP: failures across accounts spend the IP budget; then even a right password is refused; successes spend nothing', async () => {
    const a = await newUser(argon2Hash);
    const b = await newUser(argon2Hash);
    const tenant = tenantWith({ suspicious_ip: { pre_login: { max_attempts: 2, rate: 864_000 } } });
    const ip = freshIp();
    for (let i = 0; i < 3; i++) await login(tenant, a.email, password, ip);
    await assert.rejects(login(tenant, a.email, 'wrong', ip), wrong);
    await assert.rejects(login(tenant, b.email, 'wrong', ip), wrong);
    await assert.rejects(login(tenant, b.email, password, ip), suspicious);
    // IPv4-mapped IPv6 is the same client.
    await assert.rejects(login(tenant, b.email, password, `::ffff:${ip}`), suspicious);
    await login(tenant, b.email, password, freshIp());
  });

  test('suspicious IP: an allowlisted IP, a disabled protection or a missing block shield never throttle', async () => {
    const { email } = await newUser(argon2Hash);
    const stage = { pre_login: { max_attempts: 1, rate: 864_000 } };
    const cases: [TenantConfig, string][] = [
      [tenantWith({ suspicious_ip: { ...stage, allowlist: ['2001:db8::/32'] } }), '2001:db8::7'],
      [tenantWith({ suspicious_ip: { ...stage, enabled: false } }), freshIp()],
      [tenantWith({ suspicious_ip: { ...stage, shields: [] } }), freshIp()],
    ];
    for (const [tenant, ip] of cases) {
      for (let i = 0; i < 3; i++) await assert.rejects(login(tenant, email, 'wrong', ip), wrong);
      await login(tenant, email, password, ip);
    }
  });
});
