import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { applyTenant } from '../../../infra/tenant/apply.ts';
import { ddb } from '../../../shared/store/ddb.ts';
import { loadTenantConfig } from '../../../shared/store/tenant-config.ts';
import { useLocalTables } from '../../support/local-tables.ts';

/** The MFA policy and the passwordless connections survive apply → store → load unchanged. */
describe('applyTenant and loadTenantConfig: MFA settings and passwordless connections (DynamoDB Local)', () => {
  let names: Record<string, string>;
  before(async () => {
    names = await useLocalTables();
  });

  const doc = {
    tenant: { friendly_name: 'MFA tenant' },
    clients: [{ name: 'spa', app_type: 'spa', token_endpoint_auth_method: 'none', grant_types: ['http://auth0.com/oauth/grant-type/passwordless/otp'] }],
    connections: [
      { name: 'Users', strategy: 'auth0', enabled_clients: ['spa'], options: { mfa: { active: false } } },
      { name: 'email', strategy: 'email', enabled_clients: ['spa'], options: { totp: { time_step: 300, length: 8 }, email: { subject: 'Code', body: '{{ code }}' } } },
      { name: 'sms', strategy: 'sms', enabled_clients: ['spa'], options: { template: 'Code: {{ code }}', disable_signup: true } },
    ],
    guardianPolicies: { policies: ['all-applications'] },
    guardianFactors: [
      { name: 'otp', enabled: true },
      { name: 'sms', enabled: true },
      { name: 'push-notification', enabled: false },
      { name: 'recovery-code', enabled: true },
    ],
    guardianFactorTemplates: [{ name: 'sms', verification_message: '{{code}} is your code' }],
  };

  test('settings.mfa and the connections load back as applied', async () => {
    await applyTenant(doc, { client: ddb(), clientsTable: names.clients!, usersTable: names.users! });
    const loaded = await loadTenantConfig(names.clients!, ddb());
    assert.deepEqual(loaded.settings.mfa, {
      policy: 'all-applications',
      factors: { otp: true, sms: true, email: false, 'recovery-code': true },
      sms_templates: { verification_message: '{{code}} is your code' },
    });
    assert.equal(loaded.settings.friendly_name, 'MFA tenant');
    assert.deepEqual(loaded.connections.get('Users')?.options, { mfa: { active: false } });
    assert.equal(loaded.connections.get('email')?.strategy, 'email');
    assert.deepEqual(loaded.connections.get('email')?.options, doc.connections[1]!.options);
    assert.deepEqual(loaded.connections.get('sms')?.options, doc.connections[2]!.options);
  });

  test('re-applying without guardian sections drops the policy (MFA never)', async () => {
    const { guardianPolicies: _p, guardianFactors: _f, guardianFactorTemplates: _t, ...rest } = doc;
    await applyTenant(rest, { client: ddb(), clientsTable: names.clients!, usersTable: names.users! });
    const loaded = await loadTenantConfig(names.clients!, ddb());
    assert.equal(loaded.settings.mfa, undefined);
  });
});
