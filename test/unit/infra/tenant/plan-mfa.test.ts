import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidTenantFile, planTenant } from '../../../../infra/tenant/plan.ts';

type Doc = Record<string, unknown>;

/** Every factor `a0deploy export` lists, as it writes them (all disabled). */
const exportedFactors = () =>
  ['push-notification', 'sms', 'email', 'duo', 'otp', 'webauthn-roaming', 'webauthn-platform', 'recovery-code'].map((name) => ({ name, enabled: false }));

const withFactors = (enabled: Record<string, boolean>) => exportedFactors().map((f) => ({ ...f, enabled: enabled[f.name] ?? false }));

function problemsOf(doc: Doc): readonly string[] {
  try {
    planTenant(doc, undefined);
  } catch (error) {
    assert.ok(error instanceof InvalidTenantFile, `expected InvalidTenantFile, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('the file was accepted');
}

function assertProblem(doc: Doc, pattern: RegExp): void {
  const problems = problemsOf(doc);
  assert.ok(problems.some((p) => pattern.test(p)), `no problem matches ${pattern}: ${problems.join(' | ')}`);
}

describe('planTenant: MFA (guardianPolicies, guardianFactors, guardianFactorTemplates)', () => {
  test('no guardian section: no mfa settings (MFA never, as a new Auth0 tenant)', () => {
    assert.equal(planTenant({}, undefined).settings.mfa, undefined);
    assert.equal(planTenant({ tenant: { friendly_name: 'T' } }, undefined).settings.mfa, undefined);
  });

  test('all-applications with otp and recovery-code: policy and factors, the others false', () => {
    const plan = planTenant({ guardianPolicies: { policies: ['all-applications'] }, guardianFactors: withFactors({ otp: true, 'recovery-code': true }) }, undefined);
    assert.deepEqual(plan.settings.mfa, { policy: 'all-applications', factors: { otp: true, sms: false, email: false, 'recovery-code': true } });
  });

  test('policies [] is never, whatever the factors', () => {
    const plan = planTenant({ tenant: { friendly_name: 'T' }, guardianPolicies: { policies: [] }, guardianFactors: withFactors({ sms: true, email: true }) }, undefined);
    assert.deepEqual(plan.settings.mfa, { policy: 'never', factors: { otp: false, sms: true, email: true, 'recovery-code': false } });
    assert.equal(plan.settings.friendly_name, 'T');
  });

  test('factors without a policy section: never', () => {
    assert.equal(planTenant({ guardianFactors: withFactors({ otp: true }) }, undefined).settings.mfa?.policy, 'never');
  });

  test('a full export with every Auth0 factor disabled is accepted', () => {
    const plan = planTenant({ guardianPolicies: { policies: [] }, guardianFactors: exportedFactors() }, undefined);
    assert.deepEqual(plan.settings.mfa?.factors, { otp: false, sms: false, email: false, 'recovery-code': false });
  });

  for (const name of ['push-notification', 'duo', 'webauthn-roaming', 'webauthn-platform']) {
    test(`${name} enabled is refused with a clear problem`, () => {
      assertProblem({ guardianFactors: withFactors({ otp: true, [name]: true }) }, new RegExp(`guardianFactors\\[\\d\\] "${name}"\\.enabled: the factor ${name} is not supported`));
    });
  }

  test('an unknown factor name is refused, even disabled', () => {
    assertProblem({ guardianFactors: [{ name: 'carrier-pigeon', enabled: false }] }, /guardianFactors\[0\] "carrier-pigeon"\.name: carrier-pigeon is not an MFA factor/);
  });

  test('a repeated factor is refused', () => {
    assertProblem({ guardianFactors: [{ name: 'otp', enabled: true }, { name: 'otp', enabled: false }] }, /otp appears more than once/);
  });

  test('enabled must be a boolean', () => {
    assertProblem({ guardianFactors: [{ name: 'otp', enabled: 'yes' }] }, /"otp"\.enabled: must be true or false/);
  });

  test('confidence-score (Adaptive MFA) is refused; an unknown policy too', () => {
    assertProblem({ guardianPolicies: { policies: ['confidence-score'] }, guardianFactors: withFactors({ otp: true }) }, /guardianPolicies\.policies: confidence-score \(Adaptive MFA\) is not supported/);
    assertProblem({ guardianPolicies: { policies: ['sometimes'] } }, /guardianPolicies\.policies: sometimes is not one of/);
    assertProblem({ guardianPolicies: { policies: 'all-applications' } }, /guardianPolicies\.policies: must be a list of strings/);
  });

  test('all-applications without a usable factor is refused (recovery-code alone is none)', () => {
    assertProblem({ guardianPolicies: { policies: ['all-applications'] } }, /all-applications needs one of the factors otp, sms or email/);
    const problems = problemsOf({ guardianPolicies: { policies: ['all-applications'] }, guardianFactors: withFactors({ 'recovery-code': true }) });
    assert.ok(problems.some((p) => /all-applications needs/.test(p)));
    assert.ok(problems.some((p) => /recovery-code needs another factor/.test(p)));
  });

  test('the SMS templates are read; a template without {{code}} is refused', () => {
    const enrollment_message = '{{code}} is your enrollment code for {{tenant.friendly_name}}';
    const verification_message = 'Your code: {{ code }}';
    const plan = planTenant({ guardianFactors: withFactors({ sms: true }), guardianFactorTemplates: [{ name: 'sms', enrollment_message, verification_message }] }, undefined);
    assert.deepEqual(plan.settings.mfa?.sms_templates, { enrollment_message, verification_message });
    assertProblem({ guardianFactorTemplates: [{ name: 'sms', verification_message: 'no code here' }] }, /guardianFactorTemplates\[0\] "sms"\.verification_message: must contain \{\{code\}\}/);
    assertProblem({ guardianFactorTemplates: [{ name: 'push', enrollment_message: '{{code}}' }] }, /guardianFactorTemplates\[0\] "push"\.name: must be one of sms/);
    assertProblem({ guardianFactorTemplates: [{ name: 'sms', enrollment_message: `{{code}}${'x'.repeat(1_000)}` }] }, /enrollment_message: must be at most 1000 characters/);
  });

  test('templates alone give mfa settings with policy never', () => {
    const plan = planTenant({ guardianFactorTemplates: [{ name: 'sms', verification_message: '{{code}}' }] }, undefined);
    assert.deepEqual(plan.settings.mfa, { policy: 'never', factors: { otp: false, sms: false, email: false, 'recovery-code': false }, sms_templates: { verification_message: '{{code}}' } });
  });
});

describe('planTenant: passwordless connections and connection MFA options', () => {
  const clients = [{ name: 'spa', app_type: 'spa', token_endpoint_auth_method: 'none' }];
  const withConnection = (connection: Doc): Doc => ({ clients, connections: [{ name: 'c', enabled_clients: ['spa'], ...connection }] });

  test("Auth0's export of an email and an sms connection is accepted, options kept as they are", () => {
    const email = {
      name: 'email',
      strategy: 'email',
      enabled_clients: ['spa'],
      options: {
        name: 'email',
        email: { syntax: 'liquid', from: '{{ application.name }} <root@example.com>', subject: 'Welcome to {{ application.name }}', body: '<p>{{ code }}</p>' },
        totp: { length: 6, time_step: 180 },
        disable_signup: false,
        brute_force_protection: true,
        mfa: { active: true, return_enroll_settings: true },
      },
    };
    const sms = { name: 'sms', strategy: 'sms', enabled_clients: ['spa'], options: { name: 'sms', syntax: 'md_with_macros', template: 'Your code: @@password@@', totp: { length: 4, time_step: 300 }, disable_signup: true } };
    const plan = planTenant({ clients, connections: [email, sms] }, undefined);
    assert.deepEqual(plan.connections.map((c) => [c.name, c.strategy]), [['email', 'email'], ['sms', 'sms']]);
    assert.deepEqual(plan.connections[0]!.options, email.options);
    assert.deepEqual(plan.connections[1]!.options, sms.options);
    assert.deepEqual(plan.connections[0]!.enabled_clients, [plan.clients[0]!.record.client_id]);
  });

  const invalid: [string, Doc, RegExp][] = [
    ['a time_step under 60 s', { strategy: 'email', options: { totp: { time_step: 59 } } }, /"c"\.options\.totp\.time_step: must be an integer from 60 to 86400/],
    ['a time_step over a day', { strategy: 'sms', options: { totp: { time_step: 86_401 } } }, /options\.totp\.time_step: must be an integer from 60 to 86400/],
    ['a 3-digit code', { strategy: 'sms', options: { totp: { length: 3 } } }, /options\.totp\.length: must be an integer from 4 to 10/],
    ['an 11-digit code', { strategy: 'email', options: { totp: { length: 11 } } }, /options\.totp\.length: must be an integer from 4 to 10/],
    ['a fractional length', { strategy: 'email', options: { totp: { length: 6.5 } } }, /options\.totp\.length: must be an integer/],
    ['totp not a mapping', { strategy: 'email', options: { totp: 180 } }, /options\.totp: must be a mapping/],
    ['disable_signup as a string', { strategy: 'email', options: { disable_signup: 'true' } }, /options\.disable_signup: must be true or false/],
    ['brute_force_protection as a number', { strategy: 'sms', options: { brute_force_protection: 0 } }, /options\.brute_force_protection: must be true or false/],
    ['an email subject that is not a string', { strategy: 'email', options: { email: { subject: ['x'] } } }, /options\.email\.subject: must be a string/],
    ['an email body over 100,000 characters', { strategy: 'email', options: { email: { body: 'x'.repeat(100_001) } } }, /options\.email\.body: must be at most 100000 characters/],
    ['an email from that is not a string', { strategy: 'email', options: { email: { from: 1 } } }, /options\.email\.from: must be a string/],
    ['email not a mapping', { strategy: 'email', options: { email: 'hi' } }, /options\.email: must be a mapping/],
    ['an sms template that is not a string', { strategy: 'sms', options: { template: { text: 'x' } } }, /options\.template: must be a string/],
    ['an empty sms template', { strategy: 'sms', options: { template: '' } }, /options\.template: must be at least 1 characters/],
    ['mfa.active on a passwordless connection as a string', { strategy: 'sms', options: { mfa: { active: 'no' } } }, /options\.mfa\.active: must be true or false/],
    ['mfa.active on a database connection as a string', { strategy: 'auth0', options: { mfa: { active: 'false' } } }, /options\.mfa\.active: must be true or false/],
    ['mfa not a mapping', { strategy: 'auth0', options: { mfa: true } }, /options\.mfa: must be a mapping/],
  ];
  for (const [what, connection, pattern] of invalid) {
    test(`refuses ${what}`, () => assertProblem(withConnection(connection), pattern));
  }

  test('the bounds themselves are accepted', () => {
    for (const totp of [{ time_step: 60, length: 4 }, { time_step: 86_400, length: 10 }]) {
      assert.doesNotThrow(() => planTenant(withConnection({ strategy: 'email', options: { totp } }), undefined));
    }
  });

  test('a database connection may exempt its users from MFA (mfa.active false), kept in its options', () => {
    const plan = planTenant(withConnection({ strategy: 'auth0', options: { mfa: { active: false } } }), undefined);
    assert.deepEqual(plan.connections[0]!.options, { mfa: { active: false } });
  });

  test('passwordless options on a database connection are not checked as passwordless ones', () => {
    assert.doesNotThrow(() => planTenant(withConnection({ strategy: 'auth0', options: { template: 42 } }), undefined));
  });

  test('users cannot be imported into a passwordless connection', () => {
    const doc = { ...withConnection({ strategy: 'email' }), users: [{ connection: 'c', email: 'a@example.com', password: 'pw-123456' }] };
    assertProblem(doc, /users\[0\]\.connection: is a passwordless connection \(email\)/);
  });
});
