import assert from 'node:assert/strict';
import { test } from 'node:test';
import { functionGroups, type FunctionGroup } from '#infra/routes';
import { keyAdminActions } from '#infra/secrets-key';
import { actionsOf, logicalIdOf, resourcesOfType, statementsOfRole, synth } from './synth.ts';

const functionPrefix = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}Function`;
const fnResource = (name: string) => synth().json.Resources[logicalIdOf(functionPrefix(name), 'AWS::Lambda::Function')]!;
const roleOf = (name: string) => fnResource(name).Properties.Role['Fn::GetAtt'][0] as string;
const envOf = (name: string): Record<string, unknown> => fnResource(name).Properties.Environment?.Variables ?? {};
const groups = () => Object.entries(functionGroups) as [string, FunctionGroup][];
const allFunctions = () => [...Object.keys(functionGroups), 'keys'];

const keyId = () => logicalIdOf('SecretsKey', 'AWS::KMS::Key');
const keyArn = () => ({ 'Fn::GetAtt': [keyId(), 'Arn'] });
const requireContext = { Null: { 'kms:EncryptionContextKeys': 'false' } };

// --- The secrets key (KMS): TOTP seeds at rest ---

test('one customer-managed symmetric KMS key with yearly rotation, retained with the stack and on replacement', () => {
  // The other key is the keyset secret's (infra/keyset.ts).
  const keys = resourcesOfType('AWS::KMS::Key');
  assert.equal(keys.length, 2);
  const key = synth().json.Resources[keyId()]!;
  assert.equal(key.Properties.EnableKeyRotation, true);
  assert.equal(key.Properties.KeySpec ?? 'SYMMETRIC_DEFAULT', 'SYMMETRIC_DEFAULT');
  assert.equal(key.Properties.KeyUsage ?? 'ENCRYPT_DECRYPT', 'ENCRYPT_DECRYPT');
  assert.equal(key.DeletionPolicy, 'Retain');
  assert.equal(key.UpdateReplacePolicy, 'Retain');
});

/** Which function roles the key policy lets do `action`. */
function keyPolicyPrincipals(action: string): string[] {
  const statements = synth().json.Resources[keyId()]!.Properties.KeyPolicy.Statement as Array<Record<string, any>>;
  return statements
    .filter((s) => actionsOf(s).includes(action))
    .map((s) => {
      assert.equal(s.Effect, 'Allow');
      assert.deepEqual(s.Condition, requireContext, `${action} needs an encryption context`);
      const principal = s.Principal.AWS;
      assert.ok(principal['Fn::GetAtt']?.[1] === 'Arn', `${action}: a role, not ${JSON.stringify(principal)}`);
      const name = allFunctions().find((n) => roleOf(n) === principal['Fn::GetAtt'][0]);
      assert.ok(name, `${action} goes to a function role: ${JSON.stringify(principal)}`);
      return name;
    })
    .sort();
}

const groupsUsing = (use: 'encrypt' | 'decrypt') => groups().filter(([, g]) => (g.secretsKey as readonly string[]).includes(use)).map(([n]) => n).sort();

test('the key policy: the account administers the key but cannot use it; no kms:* anywhere', () => {
  const statements = synth().json.Resources[keyId()]!.Properties.KeyPolicy.Statement as Array<Record<string, any>>;
  const account = statements.filter((s) => JSON.stringify(s.Principal).includes(':root'));
  assert.equal(account.length, 1);
  assert.deepEqual(actionsOf(account[0]!).sort(), [...keyAdminActions].sort());
  const cryptographic = /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|GenerateMac|VerifyMac|Sign|Verify|DeriveSharedSecret|\*)/;
  for (const action of actionsOf(account[0]!)) {
    assert.doesNotMatch(action, cryptographic, action);
    // A wildcard such as kms:Create* would hide kms:CreateGrant: a quiet way to grant oneself Decrypt.
    assert.ok(!action.includes('*') && action !== 'kms:CreateGrant', action);
  }
  for (const s of statements) {
    assert.equal(s.Effect, 'Allow');
    for (const action of actionsOf(s)) assert.notEqual(action, 'kms:*');
  }
  // Only Encrypt and Decrypt beyond administration: no data keys, no re-encryption to another key.
  const uses = statements.filter((s) => s !== account[0]).flatMap(actionsOf);
  assert.deepEqual([...new Set(uses)].sort(), ['kms:Decrypt', 'kms:Encrypt']);
});

test('the key policy lets exactly the routes table\'s secretsKey groups encrypt and decrypt, with an encryption context', () => {
  assert.deepEqual(groupsUsing('encrypt'), ['authorize', 'mfa']);
  assert.deepEqual(groupsUsing('decrypt'), ['authorize', 'token']);
  assert.deepEqual(keyPolicyPrincipals('kms:Encrypt'), groupsUsing('encrypt'));
  assert.deepEqual(keyPolicyPrincipals('kms:Decrypt'), groupsUsing('decrypt'));
});

test('function roles: kms:Encrypt / kms:Decrypt on the secrets key, as listed, with an encryption context; others nothing on it', () => {
  for (const name of allFunctions()) {
    const group = (functionGroups as Record<string, FunctionGroup>)[name];
    const expected = (group?.secretsKey ?? []).map((u) => (u === 'encrypt' ? 'kms:Encrypt' : 'kms:Decrypt')).sort();
    // The keyset's own key (kms:Decrypt via Secrets Manager) is infra/keyset.ts's and tested there.
    const kms = statementsOfRole(roleOf(name)).filter((s) => String(JSON.stringify(s.Resource)).includes(keyId()));
    if (expected.length === 0) {
      assert.deepEqual(kms, [], `${name} has no statement on the secrets key`);
      continue;
    }
    assert.equal(kms.length, 1, name);
    assert.deepEqual(actionsOf(kms[0]!).sort(), expected, name);
    assert.deepEqual(kms[0]!.Resource, keyArn(), name);
    assert.deepEqual(kms[0]!.Condition, requireContext, name);
  }
});

test('SECRETS_KMS_KEY_ID (the key ARN) reaches exactly the functions that use the key', () => {
  for (const name of allFunctions()) {
    const uses = (functionGroups as Record<string, FunctionGroup>)[name]?.secretsKey ?? [];
    if (uses.length > 0) assert.deepEqual(envOf(name).SECRETS_KMS_KEY_ID, keyArn(), name);
    else assert.equal(envOf(name).SECRETS_KMS_KEY_ID, undefined, name);
  }
});

test('no IAM policy outside the listed groups names the secrets key', () => {
  const allowed = new Set([...groupsUsing('encrypt'), ...groupsUsing('decrypt')].map(roleOf));
  for (const [id, policy] of resourcesOfType('AWS::IAM::Policy')) {
    if (!JSON.stringify(policy.Properties.PolicyDocument).includes(keyId())) continue;
    for (const role of policy.Properties.Roles as Array<{ Ref: string }>) assert.ok(allowed.has(role.Ref), `${id} → ${role.Ref}`);
  }
});

// --- SMS through SNS: phone numbers only ---

const smsGroups = () => groups().filter(([, g]) => g.sendsSms).map(([n]) => n).sort();
const snsStatements = (name: string) => statementsOfRole(roleOf(name)).filter((s) => actionsOf(s).some((a) => a.startsWith('sns:')));

test('functions that send SMS may publish to phone numbers only: sns:Publish on NotResource every SNS ARN', () => {
  assert.deepEqual(smsGroups(), ['authorize', 'mfa', 'passwordless']);
  for (const name of smsGroups()) {
    const [statement, ...more] = snsStatements(name);
    assert.ok(statement, `${name} has an SNS statement`);
    assert.equal(more.length, 0, name);
    assert.equal(statement.Effect, 'Allow');
    assert.deepEqual(actionsOf(statement), ['sns:Publish'], name);
    assert.equal(statement.Resource, undefined, `${name}: no Resource, so no topic or endpoint ARN is allowed`);
    assert.deepEqual(statement.NotResource, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:*:*:*']] }, name);
    assert.equal(statement.Condition, undefined, name);
  }
});

test('SNS settings reach the SMS senders only: SMS_TRANSPORT=sns and SMS_SENDER_ID from SmsSenderId', () => {
  for (const name of allFunctions()) {
    const env = envOf(name);
    if (smsGroups().includes(name)) {
      assert.equal(env.SMS_TRANSPORT, 'sns', name);
      assert.deepEqual(env.SMS_SENDER_ID, { Ref: 'SmsSenderId' }, name);
    } else {
      assert.equal(env.SMS_TRANSPORT, undefined, name);
      assert.equal(env.SMS_SENDER_ID, undefined, name);
      assert.deepEqual(snsStatements(name), [], name);
    }
  }
});

test('no IAM statement anywhere allows sns:Publish on a resource (topics stay out of reach), nor any other SNS action for the functions', () => {
  for (const [id, policy] of resourcesOfType('AWS::IAM::Policy')) {
    for (const s of policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>) {
      const sns = actionsOf(s).filter((a) => a.startsWith('sns:'));
      if (sns.length === 0) continue;
      assert.deepEqual(sns, ['sns:Publish'], id);
      assert.ok(s.NotResource && !s.Resource, `${id}: sns:Publish only with NotResource`);
    }
  }
});
