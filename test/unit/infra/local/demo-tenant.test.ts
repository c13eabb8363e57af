import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoTenant, passwordlessOtpGrant, type DemoCredentials } from '../../../../infra/local/demo-tenant.ts';
import { planTenant } from '../../../../infra/tenant/plan.ts';

const creds: DemoCredentials = { client_id: 'demo-m2m', client_secret: 'a-secret-of-enough-length-0123456789', user_email: 'demo@example.com', user_password: 'Demo-pw-1' };

test('the demo tenant plans cleanly, with MFA off (policy never) so a password login gives tokens at once', () => {
  const plan = planTenant(demoTenant(creds), undefined);
  assert.equal(plan.settings.mfa?.policy, 'never');
});

test('the demo clients may log in without a password: email and sms connections enabled for both, with the passwordless grant', () => {
  const plan = planTenant(demoTenant(creds), undefined);
  const ids = plan.clients.map((c) => c.record.client_id).sort();
  for (const strategy of ['email', 'sms']) {
    const connection = plan.connections.find((c) => c.strategy === strategy);
    assert.ok(connection, strategy);
    assert.equal(connection.name, strategy, "Auth0's passwordless connections are named after their strategy");
    assert.deepEqual([...connection.enabled_clients].sort(), ids, strategy);
  }
  for (const client of plan.clients) assert.ok(client.record.grant_types.includes(passwordlessOtpGrant), client.record.name);
});
