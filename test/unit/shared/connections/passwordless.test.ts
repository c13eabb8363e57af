import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { passwordlessConnection, passwordlessConnectionsFor, passwordlessIdentifier, readPasswordlessConnection } from '../../../../shared/connections/passwordless.ts';
import type { ConnectionRecord, TenantConfig } from '../../../../shared/tenant/model.ts';

const record = (name: string, strategy: string, enabled: string[], options: Record<string, unknown> = {}): ConnectionRecord => ({ name, strategy, enabled_clients: enabled, options });
const tenantWith = (...records: ConnectionRecord[]) => ({ connections: new Map(records.map((r) => [r.name, r])) }) as unknown as TenantConfig;

describe('passwordless connections', () => {
  test("Auth0's defaults: 6 digits, 180 s, signup allowed, brute-force protection on", () => {
    const c = readPasswordlessConnection(record('email', 'email', []));
    assert.deepEqual([c.strategy, c.codeLength, c.codeLifetimeSeconds, c.disableSignup, c.bruteForceProtection], ['email', 6, 180, false, true]);
  });

  test('options read; out-of-range totp values fall back to the defaults', () => {
    const c = readPasswordlessConnection(record('sms', 'sms', [], { totp: { time_step: 300, length: 8 }, disable_signup: true, brute_force_protection: false, template: 'T {{ code }}' }));
    assert.deepEqual([c.codeLength, c.codeLifetimeSeconds, c.disableSignup, c.bruteForceProtection, c.smsTemplate], [8, 300, true, false, 'T {{ code }}']);
    const odd = readPasswordlessConnection(record('sms', 'sms', [], { totp: { time_step: 5, length: 40 } }));
    assert.deepEqual([odd.codeLength, odd.codeLifetimeSeconds], [6, 180]);
  });

  test('lookup: only email/sms strategies, only for enabled clients, in tenant-file order', () => {
    const tenant = tenantWith(record('Users', 'auth0', ['a']), record('sms', 'sms', ['a']), record('email', 'email', ['a', 'b']));
    assert.equal(passwordlessConnection(tenant, 'Users', 'a'), undefined);
    assert.equal(passwordlessConnection(tenant, 'sms', 'b'), undefined);
    assert.equal(passwordlessConnection(tenant, 'sms', 'a')?.strategy, 'sms');
    assert.equal(passwordlessConnection(tenant, 'sms', undefined)?.name, 'sms');
    assert.deepEqual(passwordlessConnectionsFor(tenant, 'a').map((c) => c.name), ['sms', 'email']);
    assert.deepEqual(passwordlessConnectionsFor(tenant, 'b').map((c) => c.name), ['email']);
  });

  test('identifiers: emails trimmed and lower-cased, E.164 numbers as they are, anything else refused', () => {
    const email = { strategy: 'email' } as const;
    const sms = { strategy: 'sms' } as const;
    assert.equal(passwordlessIdentifier(email, ' Jane.Doe+x@Example.COM '), 'jane.doe+x@example.com');
    for (const bad of ['food', 'a@b', '@example.com', 'a b@example.com', 'a@-x.com', `${'a'.repeat(320)}@example.com`, 'a@example.com\u0000']) {
      assert.equal(passwordlessIdentifier(email, bad), undefined, bad);
    }
    assert.equal(passwordlessIdentifier(sms, '+15551234567'), '+15551234567');
    for (const bad of ['15551234567', '+1 555', '+', '+1234567890123456', '+1555-123']) assert.equal(passwordlessIdentifier(sms, bad), undefined, bad);
  });
});
