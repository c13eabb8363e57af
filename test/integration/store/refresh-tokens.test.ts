import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { sha256Base64Url } from '../../../shared/crypto/digest.ts';
import { ddb } from '../../../shared/store/ddb.ts';
import {
  createRefreshFamily,
  exchangeRefreshToken,
  findRefreshToken,
  revokeFamily,
  revokeRefreshToken,
  type FoundRefreshToken,
} from '../../../shared/store/refresh-tokens.ts';
import { clientDefaults, type RefreshTokenSettings } from '../../../shared/tenant/model.ts';
import { useLocalTables } from '../../support/local-tables.ts';

/**
 * The refresh-token store on DynamoDB Local, with an injected clock (epoch seconds): rotation,
 * Auth0's leeway, reuse detection revoking the family, idle and absolute expiry, and two
 * concurrent exchanges of one token of which exactly one wins.
 */
const t0 = 1_800_000_000;
const rotating = (overrides: Partial<RefreshTokenSettings> = {}): RefreshTokenSettings => ({
  rotation_type: 'rotating',
  expiration_type: 'expiring',
  leeway: 0,
  token_lifetime: 30 * 86_400,
  infinite_token_lifetime: false,
  idle_token_lifetime: 15 * 86_400,
  infinite_idle_token_lifetime: false,
  ...overrides,
});
const nonRotating = clientDefaults.refresh_token;

async function family(settings: RefreshTokenSettings, now = t0) {
  return createRefreshFamily({
    clientId: 'spa-client',
    userId: `auth0|${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    audience: 'https://api.example.test/',
    scopes: ['openid', 'offline_access', 'read:a'],
    sid: 'sid-1',
    authTime: now - 5,
    settings,
    now,
  });
}

async function exchange(token: string, settings: RefreshTokenSettings, now: number) {
  const found = await findRefreshToken(token, now);
  assert.ok(found, 'the token is found');
  return exchangeRefreshToken(found, settings, now);
}

describe('refresh-token families (DynamoDB Local)', () => {
  let tableName: string;
  before(async () => {
    tableName = (await useLocalTables()).refreshTokens!;
  });

  test('a new family: a v1. token, only its hash stored, the login it stands for', async () => {
    const { token, familyId } = await family(rotating());
    assert.match(token, /^v1\.[A-Za-z0-9_-]{64}$/);
    const items = (await ddb().send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? [];
    assert.equal(JSON.stringify(items).includes(token), false, 'the token is never stored in clear');
    assert.equal(JSON.stringify(items).includes(token.slice(3)), false);
    assert.ok(items.some((i) => i.pk === `token#${sha256Base64Url(token)}` && i.family_id === familyId));
    const found = await findRefreshToken(token, t0 + 1);
    assert.equal(found?.status, 'active');
    assert.equal(found?.family.client_id, 'spa-client');
    assert.equal(found?.family.audience, 'https://api.example.test/');
    assert.deepEqual(found?.family.scopes, ['openid', 'offline_access', 'read:a']);
    assert.equal(found?.family.sid, 'sid-1');
    assert.equal(found?.family.auth_time, t0 - 5);
    assert.equal(found?.family.expires_at, t0 + 30 * 86_400);
    assert.equal(await findRefreshToken(`${token}x`, t0 + 1), undefined);
    assert.equal(await findRefreshToken('', t0 + 1), undefined);
  });

  test('rotation: each exchange returns a successor, and the successor works', async () => {
    const settings = rotating();
    const { token } = await family(settings);
    const first = await exchange(token, settings, t0 + 10);
    assert.ok(first.ok && first.token);
    assert.notEqual(first.token, token);
    const second = await exchange(first.token, settings, t0 + 20);
    assert.ok(second.ok && second.token);
    assert.equal((await findRefreshToken(second.token, t0 + 21))?.status, 'active');
  });

  test('reuse of a rotated token revokes the whole family, the newest token included', async () => {
    const settings = rotating();
    const { token } = await family(settings);
    const next = await exchange(token, settings, t0 + 10);
    assert.ok(next.ok && next.token);
    assert.deepEqual(await exchange(token, settings, t0 + 20), { ok: false, reason: 'reused' });
    assert.equal(await findRefreshToken(next.token, t0 + 21), undefined, 'the successor is dead too');
    assert.equal(await findRefreshToken(token, t0 + 21), undefined);
  });

  test('leeway: the immediately previous token may be exchanged again within it, not after it', async () => {
    const settings = rotating({ leeway: 30 });
    const { token } = await family(settings);
    const first = await exchange(token, settings, t0 + 100);
    assert.ok(first.ok && first.token);
    const retry = await exchange(token, settings, t0 + 120);
    assert.ok(retry.ok && retry.token, 'within 30 s: a network retry, not reuse');
    assert.notEqual(retry.token, first.token);
    assert.equal((await findRefreshToken(first.token, t0 + 121))?.status, 'active', 'nothing revoked');
    assert.deepEqual(await exchange(token, settings, t0 + 131), { ok: false, reason: 'reused' }, '31 s after its rotation: reuse');
    assert.equal(await findRefreshToken(retry.token, t0 + 132), undefined);
  });

  test('leeway never covers the second-to-last token', async () => {
    const settings = rotating({ leeway: 30 });
    const { token } = await family(settings);
    const first = await exchange(token, settings, t0 + 100);
    assert.ok(first.ok && first.token);
    const second = await exchange(first.token, settings, t0 + 101);
    assert.ok(second.ok && second.token);
    assert.deepEqual(await exchange(token, settings, t0 + 102), { ok: false, reason: 'reused' });
    assert.equal(await findRefreshToken(second.token, t0 + 103), undefined);
  });

  test('non-rotating: the same token keeps working and no successor is issued', async () => {
    const { token } = await family(nonRotating);
    for (const at of [t0 + 10, t0 + 20, t0 + 30]) assert.deepEqual(await exchange(token, nonRotating, at), { ok: true });
    assert.equal((await findRefreshToken(token, t0 + 40))?.status, 'active');
    assert.equal((await findRefreshToken(token, t0 + 400 * 86_400))?.family.expires_at, undefined, 'non-expiring');
  });

  test('non-rotating, expiring: the idle expiry moves forward, written at most once a minute (never later than exact)', async () => {
    const settings: RefreshTokenSettings = { ...nonRotating, expiration_type: 'expiring', infinite_idle_token_lifetime: false, idle_token_lifetime: 1_000 };
    const { token } = await family(settings);
    const idleAt = async (now: number) => (await findRefreshToken(token, now))?.family.idle_expires_at;
    assert.equal(await idleAt(t0), t0 + 1_000);
    assert.deepEqual(await exchange(token, settings, t0 + 30), { ok: true });
    assert.equal(await idleAt(t0 + 30), t0 + 1_000, '30 s later: no write, the stored expiry is at most a minute behind');
    assert.deepEqual(await exchange(token, settings, t0 + 61), { ok: true });
    assert.equal(await idleAt(t0 + 61), t0 + 1_061, 'over a minute later: written');
    assert.equal(await findRefreshToken(token, t0 + 1_061), undefined, 'idle for the whole lifetime since the last write: expired');
  });

  test('idle expiry: reset by each exchange, and the token dies after an idle period', async () => {
    const settings = rotating({ idle_token_lifetime: 100, token_lifetime: 10_000 });
    const { token } = await family(settings);
    assert.equal(await findRefreshToken(token, t0 + 100), undefined, 'idle for 100 s: expired');
    assert.ok(await findRefreshToken(token, t0 + 99));
    const next = await exchange(token, settings, t0 + 90);
    assert.ok(next.ok && next.token);
    assert.ok(await findRefreshToken(next.token, t0 + 180), 'the exchange at +90 reset the idle clock to +190');
    assert.equal(await findRefreshToken(next.token, t0 + 190), undefined);
  });

  test('absolute expiry: fixed at issuance, not extended by rotation', async () => {
    const settings = rotating({ idle_token_lifetime: 100, token_lifetime: 250 });
    const { token } = await family(settings);
    let current = token;
    for (const at of [t0 + 80, t0 + 160, t0 + 240]) {
      const next = await exchange(current, settings, at);
      assert.ok(next.ok && next.token, `exchange at +${at - t0}`);
      current = next.token;
    }
    assert.equal(await findRefreshToken(current, t0 + 250), undefined, 'the family ends at +250 however recently used');
  });

  test('infinite lifetimes: no expiry at all', async () => {
    const settings = rotating({ infinite_token_lifetime: true, infinite_idle_token_lifetime: true });
    const { token } = await family(settings);
    const found = await findRefreshToken(token, t0 + 5 * 365 * 86_400);
    assert.equal(found?.family.expires_at, undefined);
    assert.equal(found?.family.idle_expires_at, undefined);
  });

  test('two concurrent exchanges of one token (leeway 0): exactly one wins, the other revokes the family', async () => {
    const settings = rotating();
    for (let round = 0; round < 5; round++) {
      const { token } = await family(settings);
      const [a, b] = await Promise.all([findRefreshToken(token, t0 + 10), findRefreshToken(token, t0 + 10)]);
      const results = await Promise.all([exchangeRefreshToken(a as FoundRefreshToken, settings, t0 + 10), exchangeRefreshToken(b as FoundRefreshToken, settings, t0 + 10)]);
      const winners = results.filter((r) => r.ok);
      assert.equal(winners.length, 1, JSON.stringify(results));
      assert.deepEqual(results.find((r) => !r.ok), { ok: false, reason: 'reused' });
      const won = winners[0] as { ok: true; token: string };
      assert.equal(await findRefreshToken(won.token, t0 + 11), undefined, 'the race was reuse: the family is revoked');
    }
  });

  test('revokeFamily and revokeRefreshToken: every token of the family dies; another client cannot revoke', async () => {
    const settings = rotating({ leeway: 10 });
    const { token } = await family(settings);
    const rotated = await exchange(token, settings, t0 + 1);
    assert.ok(rotated.ok && rotated.token);
    const sibling = rotated.token;
    assert.equal(await revokeRefreshToken(token, 'other-client', t0 + 2), false);
    assert.ok(await findRefreshToken(token, t0 + 3), 'still alive');
    assert.equal(await revokeRefreshToken(token, 'spa-client', t0 + 4), true);
    assert.equal(await findRefreshToken(token, t0 + 5), undefined);
    assert.equal(await findRefreshToken(sibling, t0 + 5), undefined);
    assert.equal(await findRefreshToken(sibling, t0 + 6), undefined, 'the successor died with its family');
    assert.equal(await revokeRefreshToken(token, 'spa-client', t0 + 7), false, 'already revoked: nothing to do');
    await revokeFamily('no-such-family');
  });
});
