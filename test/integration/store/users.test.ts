import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../../shared/store/ddb.ts';
import { createUser, findUserByLogin, getUser, recordLogin, updateUser, type NewUser } from '../../../shared/store/users.ts';
import { useLocalTables } from '../../support/local-tables.ts';

const newUser = (email: string, extra: Partial<NewUser> = {}): NewUser => ({
  connection: 'Users',
  email,
  password_hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
  email_verified: false,
  user_metadata: {},
  app_metadata: {},
  ...extra,
});
const uniqueEmail = () => `user-${randomUUID()}@example.com`;

describe('createUser (DynamoDB Local)', () => {
  let usersTable: string;
  before(async () => {
    usersTable = (await useLocalTables()).users!;
  });
  const itemsWith = async (predicate: (item: Record<string, unknown>) => boolean) =>
    ((await ddb().send(new ScanCommand({ TableName: usersTable, ConsistentRead: true }))).Items ?? []).filter(predicate);

  test('creates a user with an Auth0-shaped id, its fields and timestamps', async () => {
    const email = uniqueEmail();
    const now = new Date('2026-03-01T10:00:00Z');
    const created = await createUser(newUser(email, { user_metadata: { plan: 'pro' } }), { now });
    assert.ok(created.ok);
    assert.match(created.userId, /^auth0\|[0-9a-f]{24}$/);
    const [item] = await itemsWith((i) => i.pk === `user#${created.userId}`);
    assert.equal(item?.email, email);
    assert.deepEqual(item?.user_metadata, { plan: 'pro' });
    assert.equal(item?.created_at, '2026-03-01T10:00:00.000Z');
    assert.equal(item?.updated_at, '2026-03-01T10:00:00.000Z');
  });

  test('a second user with the same email is refused as exists', async () => {
    const email = uniqueEmail();
    assert.equal((await createUser(newUser(email))).ok, true);
    assert.deepEqual(await createUser(newUser(email)), { ok: false, reason: 'exists', conflict: 'email' });
  });

  test('email uniqueness ignores case', async () => {
    const email = uniqueEmail();
    assert.equal((await createUser(newUser(email))).ok, true);
    assert.deepEqual(await createUser(newUser(email.toUpperCase())), { ok: false, reason: 'exists', conflict: 'email' });
  });

  test('a refused user leaves nothing behind: no user item, no username guard', async () => {
    const email = uniqueEmail();
    const username = `name-${randomUUID()}`;
    await createUser(newUser(email));
    assert.equal((await createUser(newUser(email.toUpperCase(), { username }))).ok, false);
    assert.equal((await itemsWith((i) => String(i.pk).startsWith('user#') && String(i.email).toLowerCase() === email)).length, 1);
    assert.deepEqual(await itemsWith((i) => String(i.pk).includes(username)), []);
    assert.equal((await createUser(newUser(uniqueEmail(), { username }))).ok, true, 'the username is still free');
  });

  test('the same email on another connection is another user', async () => {
    const email = uniqueEmail();
    assert.equal((await createUser(newUser(email))).ok, true);
    assert.equal((await createUser(newUser(email, { connection: 'Partners' }))).ok, true);
  });

  test('usernames are unique per connection too, ignoring case', async () => {
    const username = `jane-${randomUUID()}`;
    assert.equal((await createUser(newUser(uniqueEmail(), { username }))).ok, true);
    assert.deepEqual(await createUser(newUser(uniqueEmail(), { username: username.toUpperCase() })), { ok: false, reason: 'exists', conflict: 'username' });
  });

  test('of 10 concurrent signups with one email exactly one succeeds and one user exists', async () => {
    const email = uniqueEmail();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => createUser(newUser(i % 2 ? email : email.toUpperCase()))));
    const ok = results.filter((r) => r.ok);
    assert.equal(ok.length, 1);
    assert.ok(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'exists'));
    const users = await itemsWith((i) => String(i.pk).startsWith('user#') && String(i.email).toLowerCase() === email);
    assert.equal(users.length, 1);
    const [guard] = await itemsWith((i) => i.pk === `email#Users#${email}`);
    assert.equal(guard?.user_id, ok[0]!.ok ? ok[0]!.userId : undefined);
  });
});

describe('finding and updating users (DynamoDB Local)', () => {
  before(async () => {
    await useLocalTables();
  });

  test('a login finds its user by email (any case) or by username, only in its own connection', async () => {
    const email = uniqueEmail();
    const created = await createUser(newUser(email, { username: 'ada_l' }));
    assert.ok(created.ok);
    assert.equal((await findUserByLogin('Users', email.toUpperCase()))?.user_id, created.userId);
    assert.equal((await findUserByLogin('Users', 'ADA_L'))?.user_id, created.userId);
    assert.equal(await findUserByLogin('Other', email), undefined);
    assert.equal(await findUserByLogin('Users', 'nobody@example.com'), undefined);
    assert.equal(await findUserByLogin('Users', `${'a'.repeat(3000)}@example.com`), undefined);
  });

  test('a username containing @ is found when no email matches it', async () => {
    const created = await createUser(newUser(uniqueEmail(), { username: `grace@${randomUUID().slice(0, 8)}` }));
    assert.ok(created.ok);
    const user = await getUser(created.userId);
    assert.equal((await findUserByLogin('Users', user!.username!))?.user_id, created.userId);
  });

  test('updateUser changes the named fields, stamps updated_at, and never creates a user', async () => {
    const created = await createUser(newUser(uniqueEmail()));
    assert.ok(created.ok);
    await updateUser(created.userId, { logins_count: 3, last_login: '2026-03-02T00:00:00.000Z' }, { now: new Date('2026-03-02T00:00:01Z') });
    const user = await getUser(created.userId);
    assert.equal(user?.logins_count, 3);
    assert.equal(user?.updated_at, '2026-03-02T00:00:01.000Z');
    await assert.rejects(updateUser('auth0|000000000000000000000000', { logins_count: 1 }), { name: 'ConditionalCheckFailedException' });
  });

  test('recordLogin counts concurrent logins each (an increment in place, not read-then-write) and can rehash', async () => {
    const created = await createUser(newUser(uniqueEmail()));
    assert.ok(created.ok);
    await Promise.all(Array.from({ length: 6 }, () => recordLogin(created.userId, { at: new Date('2026-03-03T00:00:00Z') })));
    const rehashed = await recordLogin(created.userId, { at: new Date('2026-03-03T00:00:01Z'), password_hash: '$argon2id$new' });
    assert.equal(rehashed?.logins_count, 7);
    assert.equal(rehashed?.password_hash, '$argon2id$new');
    assert.equal(rehashed?.last_login, '2026-03-03T00:00:01.000Z');
    await assert.rejects(recordLogin('auth0|000000000000000000000000', { at: new Date() }), { name: 'ConditionalCheckFailedException' });
  });
});
