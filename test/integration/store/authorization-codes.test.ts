import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { s256Challenge } from '../../../shared/crypto/pkce.ts';
import {
  createAuthorizationCode,
  markCodeReplayed,
  recordCodeRefreshFamily,
  redeemAuthorizationCode,
  type AuthorizationCodeGrant,
} from '../../../shared/store/authorization-codes.ts';
import { ddb } from '../../../shared/store/ddb.ts';
import { useLocalTables } from '../../support/local-tables.ts';

/**
 * Authorization codes on DynamoDB Local: one conditional write redeems a code and checks
 * client, redirect_uri and PKCE; concurrent redemptions have exactly one winner; a replay is
 * recognised and meets the refresh family the code issued, whichever write comes first.
 */
const now = Math.floor(Date.now() / 1000);
const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const grant: AuthorizationCodeGrant = {
  client_id: 'web',
  redirect_uri: 'https://app.test/callback',
  redirect_uri_sent: true,
  code_challenge: s256Challenge(verifier),
  nonce: 'n-1',
  scopes: ['openid', 'profile', 'offline_access'],
  audience: 'https://api.test/',
  user_id: 'auth0|0123456789abcdef01234567',
  sid: 'sid-1',
  auth_time: now - 30,
};
const good = { clientId: 'web', redirectUri: 'https://app.test/callback', challenge: s256Challenge(verifier) };

describe('authorization codes (DynamoDB Local)', () => {
  let codesTable: string;
  before(async () => {
    codesTable = (await useLocalTables()).codes!;
  });

  test('a code is 256 random bits, stored only as its hash, for 60 s', async () => {
    const code = await createAuthorizationCode(grant, now);
    assert.match(code, /^[A-Za-z0-9_-]{43}$/);
    const { Items = [] } = await ddb().send(new ScanCommand({ TableName: codesTable }));
    assert.equal(JSON.stringify(Items).includes(code), false);
    const item = Items.find((i) => i.nonce === 'n-1' && i.created_at === now);
    assert.ok(item);
    assert.match(String(item.pk), /^code#[A-Za-z0-9_-]{43}$/);
    assert.equal(item.expiresAt, now + 60);
  });

  test('redeeming returns what the code was issued for', async () => {
    const code = await createAuthorizationCode(grant);
    const result = await redeemAuthorizationCode(code, good);
    assert.ok(result.ok);
    assert.deepEqual(result.grant, grant);
  });

  test('of concurrent redemptions of one code exactly one wins; the others are replays', async () => {
    const code = await createAuthorizationCode(grant);
    const results = await Promise.all(Array.from({ length: 8 }, () => redeemAuthorizationCode(code, good)));
    assert.equal(results.filter((r) => r.ok).length, 1);
    assert.deepEqual(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.reason)), Array(7).fill('replayed'));
  });

  test('a replay after use is recognised even after the code expired', async () => {
    const code = await createAuthorizationCode(grant, now);
    assert.ok((await redeemAuthorizationCode(code, good, now + 1)).ok);
    const again = await redeemAuthorizationCode(code, good, now + 600);
    assert.equal(again.ok, false);
    assert.equal(!again.ok && again.reason, 'replayed');
  });

  test('unknown and expired codes are refused', async () => {
    const unknown = await redeemAuthorizationCode('x'.repeat(43), good);
    assert.equal(!unknown.ok && unknown.reason, 'unknown');
    const code = await createAuthorizationCode(grant, now - 120);
    const expired = await redeemAuthorizationCode(code, good, now);
    assert.equal(!expired.ok && expired.reason, 'expired');
  });

  test('another client, another redirect_uri or a wrong verifier is refused and does not spend the code', async () => {
    const code = await createAuthorizationCode(grant);
    const reason = async (input: Partial<typeof good>) => {
      const r = await redeemAuthorizationCode(code, { ...good, ...input });
      return r.ok ? 'ok' : r.reason;
    };
    assert.equal(await reason({ clientId: 'other' }), 'client');
    assert.equal(await reason({ redirectUri: 'https://app.test/other' }), 'redirect_uri');
    assert.equal(await reason({ redirectUri: undefined }), 'redirect_uri_missing');
    assert.equal(await reason({ challenge: s256Challenge(`${verifier}x`) }), 'pkce');
    assert.equal(await reason({ challenge: undefined }), 'pkce');
    assert.equal(await reason({}), 'ok');
  });

  test('a code issued without PKCE refuses a verifier; one issued without redirect_uri accepts its absence', async () => {
    const { code_challenge: _c, ...plain } = grant;
    const code = await createAuthorizationCode({ ...plain, redirect_uri_sent: false });
    const withVerifier = await redeemAuthorizationCode(code, good);
    assert.equal(!withVerifier.ok && withVerifier.reason, 'pkce');
    const ok = await redeemAuthorizationCode(code, { clientId: 'web', redirectUri: undefined, challenge: undefined });
    assert.ok(ok.ok);
    assert.equal(ok.grant.code_challenge, undefined);
  });

  test('a replay finds the refresh family recorded after redemption', async () => {
    const code = await createAuthorizationCode(grant);
    const first = await redeemAuthorizationCode(code, good);
    assert.ok(first.ok);
    assert.equal(await recordCodeRefreshFamily(first.codeKey, 'family-1'), false);
    const replay = await redeemAuthorizationCode(code, good);
    assert.equal(!replay.ok && replay.reason, 'replayed');
    assert.equal(await markCodeReplayed(replay.codeKey), 'family-1');
  });

  test('a replay before the family is recorded makes the recording report it', async () => {
    const code = await createAuthorizationCode(grant);
    const first = await redeemAuthorizationCode(code, good);
    assert.ok(first.ok);
    const replay = await redeemAuthorizationCode(code, good);
    assert.equal(!replay.ok && replay.reason, 'replayed');
    assert.equal(await markCodeReplayed(replay.codeKey), undefined);
    assert.equal(await recordCodeRefreshFamily(first.codeKey, 'family-2'), true);
  });
});
