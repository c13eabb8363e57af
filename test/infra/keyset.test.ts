import assert from 'node:assert/strict';
import { test } from 'node:test';
import { functionGroups } from '#infra/routes';
import { actionsOf, logicalIdOf, resourcesOfType, statementsOfRole, synth } from './synth.ts';

const secretId = () => logicalIdOf('KeysetSecret', 'AWS::SecretsManager::Secret');
const keyId = () => logicalIdOf('KeysetKey', 'AWS::KMS::Key');
const roleOf = (fnPrefix: string) => synth().json.Resources[logicalIdOf(fnPrefix, 'AWS::Lambda::Function')]!.Properties.Role['Fn::GetAtt'][0] as string;
const stem = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}Function`;

test('the keyset secret is created empty and encrypted with its own customer-managed key', () => {
  const secret = synth().json.Resources[secretId()]!;
  assert.deepEqual(secret.Properties.KmsKeyId, { 'Fn::GetAtt': [keyId(), 'Arn'] });
  assert.equal(secret.Properties.SecretString, undefined);
  assert.equal(secret.Properties.GenerateSecretString, undefined, 'the keys function writes the first value');
  assert.equal(synth().json.Resources[keyId()]!.Properties.EnableKeyRotation, true);
});

test('the key policy: administration for the account, use only through Secrets Manager', () => {
  const statements = synth().json.Resources[keyId()]!.Properties.KeyPolicy.Statement as Array<Record<string, any>>;
  for (const statement of statements) {
    const crypto = actionsOf(statement).filter((a) => /^kms:(Decrypt|Encrypt|GenerateDataKey|ReEncrypt)/.test(a) || a === 'kms:*');
    if (crypto.length === 0) continue;
    assert.ok(!crypto.includes('kms:*'));
    assert.ok(JSON.stringify(statement.Condition?.StringEquals?.['kms:ViaService']).includes('secretsmanager.'), JSON.stringify(statement));
  }
});

test('only the keys function may write the secret; token and discovery may only read it', () => {
  const writers = resourcesOfType('AWS::IAM::Policy').filter(([, p]) =>
    (p.Properties.PolicyDocument.Statement as Array<Record<string, any>>).some((s) => actionsOf(s).includes('secretsmanager:PutSecretValue')));
  assert.equal(writers.length, 1);
  assert.deepEqual(writers[0]![1].Properties.Roles, [{ Ref: roleOf('KeysFunction') }]);

  for (const [name, group] of Object.entries(functionGroups)) {
    const statements = statementsOfRole(roleOf(stem(name)));
    const onSecret = statements.filter((s) => JSON.stringify(s.Resource) === JSON.stringify({ Ref: secretId() })).flatMap(actionsOf);
    assert.deepEqual(onSecret, group.readsKeyset ? ['secretsmanager:GetSecretValue'] : [], name);
    // Statements without a Resource (NotResource: SMS publishing) are on no key.
    const onKey = statements.filter((s) => String(JSON.stringify(s.Resource)).includes(keyId())).flatMap(actionsOf);
    assert.deepEqual(onKey, group.readsKeyset ? ['kms:Decrypt'] : [], name);
  }
});

test('nothing but the keyset readers and the keys function is granted the key', () => {
  const allowed = new Set([roleOf('KeysFunction'), ...Object.keys(functionGroups).map((n) => roleOf(stem(n)))]);
  for (const [id, policy] of resourcesOfType('AWS::IAM::Policy')) {
    if (!JSON.stringify(policy.Properties.PolicyDocument).includes(keyId())) continue;
    for (const role of policy.Properties.Roles as Array<{ Ref: string }>) assert.ok(allowed.has(role.Ref), `${id} → ${role.Ref}`);
  }
});

test('a custom resource initializes the keyset before any endpoint function exists', () => {
  const [[initId, init]] = resourcesOfType('Custom::PortcullisKeyset') as [[string, any]];
  assert.ok(init.Properties.ServiceToken, 'through the Provider framework');
  for (const name of Object.keys(functionGroups)) {
    const resource = synth().json.Resources[logicalIdOf(stem(name), 'AWS::Lambda::Function')]!;
    assert.ok(resource.DependsOn?.includes(initId), `${name} depends on ${initId}`);
  }
});

test('an EventBridge rule rotates the keyset every KeyRotationDays, without automatic retries', () => {
  const { template } = synth();
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: { 'Fn::If': ['KeyRotationIsDaily', 'rate(1 day)', { 'Fn::Sub': 'rate(${KeyRotationDays} days)' }] },
    Targets: [{ Arn: { 'Fn::GetAtt': [logicalIdOf('KeysFunction', 'AWS::Lambda::Function'), 'Arn'] }, Input: '{"action":"rotate"}' }],
  });
  template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  const vars = synth().json.Resources[logicalIdOf('KeysFunction', 'AWS::Lambda::Function')]!.Properties.Environment.Variables;
  assert.deepEqual(vars.KEYSET_SECRET_ID, { Ref: secretId() });
  assert.deepEqual(vars.KEY_ROTATION_DAYS, { Ref: 'KeyRotationDays' });
});
