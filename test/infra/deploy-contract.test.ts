import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { projectRoot } from '#infra/project';
import { enableCloudFormationValidation, synth } from './synth.ts';

enableCloudFormationValidation();

test('the template passes CDK\'s CloudFormation schema validation without a finding', () => {
  const report = JSON.parse(readFileSync(join(synth().outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ violations?: unknown[] }>;
  };
  assert.deepEqual(report.pluginReports.flatMap((r) => r.violations ?? []), []);
});

/** The deploy contract: every parameter, its type and what it feeds. */
const expected: Record<string, string> = {
  DomainName: 'String',
  MtlsDomainName: 'String',
  CertificateArn: 'String',
  TruststoreBucket: 'String',
  TruststoreKey: 'String',
  TruststoreVersion: 'String',
  WafRateLimitPer5Min: 'Number',
  ThrottleRateLimit: 'Number',
  ThrottleBurstLimit: 'Number',
  AlarmEmail: 'String',
  LogLevel: 'String',
  KeyRotationDays: 'Number',
  ConfigCacheSeconds: 'Number',
  SenderEmail: 'String',
  SenderIdentityDomain: 'String',
  SmsSenderId: 'String',
};

test('every parameter of the deploy contract exists with its type and a description', () => {
  const { template, json } = synth();
  for (const [name, type] of Object.entries(expected)) {
    template.hasParameter(name, { Type: type });
    assert.ok(String(json.Parameters[name].Description ?? '').length > 10, `${name} has a description`);
  }
  // Nothing else but CDK's own bootstrap-version parameter.
  const extra = Object.keys(json.Parameters).filter((name) => !(name in expected) && name !== 'BootstrapVersion');
  assert.deepEqual(extra, []);
});

test('defaults and constraints', () => {
  const { json } = synth();
  const p = json.Parameters;
  assert.equal(p.WafRateLimitPer5Min.Default, 2000);
  assert.equal(p.KeyRotationDays.Default, 30);
  assert.equal(p.ConfigCacheSeconds.Default, 30);
  assert.deepEqual(p.LogLevel.AllowedValues, ['info', 'debug']);
  assert.equal(p.TruststoreVersion.Default, '');
  const host = new RegExp(p.DomainName.AllowedPattern);
  assert.ok(host.test('auth.example.com'));
  assert.ok(host.test('mtls.auth.example.com'));
  assert.ok(!host.test('Auth.Example.com'), 'upper case is refused');
  assert.ok(!host.test('https://auth.example.com'), 'a URL is refused');
  assert.equal(p.MtlsDomainName.AllowedPattern, p.DomainName.AllowedPattern);
  // CloudFormation matches AllowedPattern against the whole value (Java regex); JS needs anchors, which they have.
  const sender = new RegExp(p.SenderEmail.AllowedPattern);
  assert.equal(p.SenderEmail.Default, undefined, 'a sender must be chosen: password resets and unblock links are mailed');
  assert.ok(sender.test('no-reply@auth.example.com'));
  assert.ok(!sender.test('Portcullis <no-reply@auth.example.com>'), 'a bare address: it is also the IAM ses:FromAddress');
  assert.ok(!sender.test('no-reply@Example.COM'), 'the domain in lower case, as the identity ARN names it');
  assert.ok(!sender.test('no-reply'));
  const identityDomain = new RegExp(p.SenderIdentityDomain.AllowedPattern);
  assert.equal(p.SenderIdentityDomain.Default, '');
  assert.ok(identityDomain.test('') && identityDomain.test('example.com'));
  assert.ok(!identityDomain.test('no-reply@example.com'), 'a domain, not an address');
  // SNS sender IDs: 1-11 letters and digits, at least one letter; empty sends without one.
  const senderId = new RegExp(p.SmsSenderId.AllowedPattern);
  assert.equal(p.SmsSenderId.Default, '');
  for (const ok of ['', 'Acme', 'ACME2FA', 'A', 'Abcdefghijk']) assert.ok(senderId.test(ok), `${ok} is a sender ID`);
  for (const bad of ['12345', 'Acme Login', 'Abcdefghijkl', 'Acme-Login', 'Acmé']) assert.ok(!senderId.test(bad), `${bad} is refused`);
});

test('the SES domain identity: SenderIdentityDomain when set, else the domain of SenderEmail', () => {
  const { json } = synth();
  assert.deepEqual(json.Conditions.HasSenderIdentityDomain, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'SenderIdentityDomain' }, ''] }] });
});

test('an empty TruststoreVersion is omitted from the mTLS domain', () => {
  const { template, json } = synth();
  assert.deepEqual(json.Conditions.HasTruststoreVersion, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'TruststoreVersion' }, ''] }] });
  template.hasResourceProperties('AWS::ApiGateway::DomainName', {
    MutualTlsAuthentication: {
      TruststoreVersion: { 'Fn::If': ['HasTruststoreVersion', { Ref: 'TruststoreVersion' }, { Ref: 'AWS::NoValue' }] },
    },
  });
});

test('ConfigCacheSeconds reaches the functions as milliseconds', () => {
  const { template } = synth();
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: { CONFIG_CACHE_MS: { 'Fn::Sub': '${ConfigCacheSeconds}000' } } },
  });
});

test('outputs: DNS targets of both domains, table names, keyset secret, secrets key, keys function', () => {
  const { json } = synth();
  const ref = (prefix: string) => (value: unknown) => JSON.stringify(value).includes(prefix);
  const outputs = json.Outputs;
  for (const stem of ['PublicDomain', 'MtlsDomain']) {
    assert.deepEqual(outputs[`${stem}AliasTarget`].Value['Fn::GetAtt'][1], 'RegionalDomainName');
    assert.deepEqual(outputs[`${stem}AliasHostedZoneId`].Value['Fn::GetAtt'][1], 'RegionalHostedZoneId');
    assert.ok(ref(stem)(outputs[`${stem}AliasTarget`].Value));
  }
  for (const [name, table] of [['ClientsTableName', 'ClientsTable'], ['UsersTableName', 'UsersTable'], ['CodesTableName', 'CodesTable'], ['RateLimitsTableName', 'RateLimitsTable'], ['SessionsTableName', 'SessionsTable'], ['RefreshTokensTableName', 'RefreshTokensTable'], ['AuthenticatorsTableName', 'AuthenticatorsTable']]) {
    assert.ok(ref(table!)(outputs[name!]?.Value), `${name} names ${table}`);
  }
  assert.ok(ref('KeysetSecret')(outputs.KeysetSecretArn?.Value));
  assert.ok(ref('KeysFunction')(outputs.KeysFunctionName?.Value));
  assert.ok(ref('SecretsKey')(outputs.SecretsKeyArn?.Value));
});

test('no output exposes an execute-api URL (those endpoints are disabled)', () => {
  const { json } = synth();
  const text = JSON.stringify(json.Outputs);
  assert.ok(!text.includes('execute-api'), text);
  assert.ok(!Object.keys(json.Outputs).some((name) => name.includes('Endpoint')));
});

test('the app refuses a tenant id that is not [a-z0-9-]', async () => {
  // The CDK CLI passes `-c tenant=…` to the app through CDK_CONTEXT_JSON.
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, CDK_CONTEXT_JSON: JSON.stringify({ tenant: 'Acme_Prod' }) },
  });
  await assert.rejects(run, (error: { code: number; stderr: string }) => {
    assert.notEqual(error.code, 0);
    assert.match(error.stderr, /context "tenant" must be .*got "Acme_Prod"/);
    return true;
  });
});
