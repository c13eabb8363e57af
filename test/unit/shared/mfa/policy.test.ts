import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enabledFactors, isMfaAudience, mfaApplies, mfaAudience, mfaMayApply } from '../../../../shared/mfa/policy.ts';
import { emptySettings } from '../../../../shared/store/tenant-config.ts';
import type { ConnectionRecord, MfaSettings, TenantConfig } from '../../../../shared/tenant/model.ts';

const issuer = 'https://auth.example.test/';
const none = { otp: false, sms: false, email: false, 'recovery-code': false };
const connection = (name: string, options: Record<string, unknown> = {}): [string, ConnectionRecord] => [name, { name, strategy: 'auth0', enabled_clients: [], options }];
const tenantWith = (mfa: MfaSettings | undefined): TenantConfig => ({
  settings: { ...emptySettings, ...(mfa ? { mfa } : {}) },
  clients: new Map(),
  resourceServers: new Map(),
  clientGrants: new Map(),
  connections: new Map([connection('Users'), connection('email', { mfa: { active: false } }), connection('sms', { mfa: { active: true } })]),
  customDomains: new Map(),
});

describe('MFA policy', () => {
  const always = tenantWith({ policy: 'all-applications', factors: { ...none, otp: true, 'recovery-code': true } });

  test('all-applications with a factor: every connection that does not exempt its users', () => {
    assert.equal(mfaApplies(always, 'Users', undefined, issuer), true);
    assert.equal(mfaApplies(always, 'sms', 'https://api.example.test/', issuer), true);
    assert.equal(mfaApplies(always, 'email', undefined, issuer), false, 'options.mfa.active false exempts');
  });

  test('never, absent, or no enrollable factor: no MFA', () => {
    assert.equal(mfaApplies(tenantWith(undefined), 'Users', undefined, issuer), false);
    assert.equal(mfaApplies(tenantWith({ policy: 'never', factors: { ...none, otp: true } }), 'Users', undefined, issuer), false);
    assert.equal(mfaApplies(tenantWith({ policy: 'all-applications', factors: none }), 'Users', undefined, issuer), false);
    assert.equal(mfaApplies(tenantWith({ policy: 'all-applications', factors: { ...none, 'recovery-code': true } }), 'Users', undefined, issuer), false);
  });

  test('the MFA API audience always needs MFA, even with the policy off or an exempt connection', () => {
    assert.equal(mfaApplies(tenantWith(undefined), 'Users', mfaAudience(issuer), issuer), true);
    assert.equal(mfaApplies(always, 'email', 'https://auth.example.test/mfa', issuer), true);
    assert.equal(mfaAudience(issuer), 'https://auth.example.test/mfa/');
    assert.equal(isMfaAudience('https://other.test/mfa/', issuer), false);
  });

  test('mfaMayApply: whether any connection could need MFA, for the hot paths that skip the user read otherwise', () => {
    assert.equal(mfaMayApply(always, undefined, issuer), true);
    assert.equal(mfaMayApply(tenantWith(undefined), undefined, issuer), false);
    assert.equal(mfaMayApply(tenantWith({ policy: 'never', factors: { ...none, otp: true } }), 'https://api.example.test/', issuer), false);
    assert.equal(mfaMayApply(tenantWith({ policy: 'all-applications', factors: { ...none, 'recovery-code': true } }), undefined, issuer), false);
    assert.equal(mfaMayApply(tenantWith(undefined), mfaAudience(issuer), issuer), true);
  });

  test('enabled factors in a stable order', () => {
    assert.deepEqual(enabledFactors(tenantWith({ policy: 'never', factors: { 'recovery-code': true, email: true, sms: false, otp: true } })), ['otp', 'email', 'recovery-code']);
    assert.deepEqual(enabledFactors(tenantWith(undefined)), []);
  });
});
