import assert from 'node:assert/strict';
import { test } from 'node:test';
import { functionGroups, type FunctionGroup } from '#infra/routes';
import { tableStem } from '#infra/storage';
import { tables, type TableId } from '#infra/tables';
import { actionsOf, logicalIdOf, resourcesOfType, statementsOfRole, synth } from './synth.ts';

const tableId = (id: TableId) => logicalIdOf(`${tableStem(id)}Table`, 'AWS::DynamoDB::GlobalTable');
const roleOf = (name: string) => {
  const fn = synth().json.Resources[logicalIdOf(`${name.charAt(0).toUpperCase()}${name.slice(1)}Function`, 'AWS::Lambda::Function')]!;
  return fn.Properties.Role['Fn::GetAtt'][0] as string;
};
const allStatements = () =>
  resourcesOfType('AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);

test('no IAM statement grants dynamodb:Scan or a wildcard action', () => {
  for (const statement of allStatements()) {
    for (const action of actionsOf(statement)) {
      assert.notEqual(action, 'dynamodb:Scan');
      assert.ok(!action.includes('*'), `wildcard action ${action}`);
    }
  }
});

/**
 * DynamoDB actions per table in one function's role. CDK merges statements that share their
 * actions or their resources (@aws-cdk/aws-iam:minimizePolicies), so a statement may name
 * several tables: each of its actions applies to each of them, as IAM reads it. Every
 * resource must be exactly a table ARN: no index or stream ARNs, no "*".
 */
function grantedTables(name: string): Record<string, string[]> {
  const granted: Record<string, Set<string>> = {};
  for (const statement of statementsOfRole(roleOf(name))) {
    const dynamo = actionsOf(statement).filter((a) => a.startsWith('dynamodb:'));
    if (dynamo.length === 0) continue;
    assert.equal(statement.Effect, 'Allow');
    for (const resource of ([] as unknown[]).concat(statement.Resource)) {
      const target = tables.find((t) => JSON.stringify(resource) === JSON.stringify({ 'Fn::GetAtt': [tableId(t.id), 'Arn'] }));
      assert.ok(target, `${name}: DynamoDB statement on a resource that is not a table ARN: ${JSON.stringify(resource)}`);
      for (const action of dynamo) (granted[target.id] ??= new Set()).add(action.slice('dynamodb:'.length));
    }
  }
  return Object.fromEntries(Object.entries(granted).map(([id, actions]) => [id, [...actions].sort()]));
}

test('each endpoint function holds exactly the DynamoDB actions infra/routes.ts gives its group, per table', () => {
  for (const [name, group] of Object.entries(functionGroups) as [string, FunctionGroup][]) {
    const expected = Object.entries(group.tables).filter(([, actions]) => actions.length > 0);
    assert.deepEqual(
      grantedTables(name),
      Object.fromEntries(expected.map(([id, actions]) => [id, actions.map((a) => a.slice('dynamodb:'.length)).sort()])),
      name,
    );
  }
});

/**
 * The grants as reviewed for issue 4, spelled out here rather than read from infra/routes.ts:
 * widening a group's access there must fail this test until it is reviewed too. Issue 4:
 * token creates passwordless users at their first login (users PutItem), reads and redeems
 * passwordless codes and MFA OOB challenges (codes GetItem, DeleteItem) and runs the MFA
 * grants on authenticators (no PutItem: it never enrols, no DeleteItem: it never removes);
 * authorize runs the hosted MFA pages (authenticators in full); passwordless only writes codes
 * and reads users (blocked users get none); mfa enrols, lists, removes factors and writes OOB
 * challenges, and reads no code it wrote.
 */
const reviewedGrants: Record<string, Partial<Record<TableId, string[]>>> = {
  discovery: { clients: ['Query'], rateLimits: ['UpdateItem'] },
  token: {
    clients: ['Query'],
    users: ['GetItem', 'PutItem', 'UpdateItem'],
    codes: ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'],
    refreshTokens: ['GetItem', 'PutItem', 'UpdateItem'],
    authenticators: ['GetItem', 'Query', 'UpdateItem'],
    rateLimits: ['DeleteItem', 'UpdateItem'],
  },
  authorize: {
    clients: ['Query'],
    users: ['GetItem', 'PutItem', 'UpdateItem'],
    codes: ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'],
    sessions: ['GetItem', 'PutItem', 'UpdateItem'],
    authenticators: ['DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'],
    rateLimits: ['DeleteItem', 'UpdateItem'],
  },
  dbconnections: { clients: ['Query'], users: ['GetItem', 'PutItem'], codes: ['PutItem'], rateLimits: ['UpdateItem'] },
  userinfo: { clients: ['Query'], users: ['GetItem'], rateLimits: ['UpdateItem'] },
  logout: { clients: ['Query'], sessions: ['GetItem', 'UpdateItem'], rateLimits: ['UpdateItem'] },
  passwordless: { clients: ['Query'], users: ['GetItem'], codes: ['PutItem'], rateLimits: ['DeleteItem', 'UpdateItem'] },
  mfa: {
    clients: ['Query'],
    users: ['GetItem'],
    codes: ['PutItem'],
    authenticators: ['DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'],
    rateLimits: ['DeleteItem', 'UpdateItem'],
  },
};

test('the exact DynamoDB grants of every endpoint function, as reviewed', () => {
  assert.deepEqual(Object.keys(functionGroups).sort(), Object.keys(reviewedGrants).sort(), 'every group is reviewed');
  for (const [name, expected] of Object.entries(reviewedGrants)) assert.deepEqual(grantedTables(name), expected, name);
});

/**
 * Which secrets each function may read, as reviewed, spelled out like the table grants above:
 * the signing keyset (tokens, JWKS, mfa_tokens) and the code MAC key (one-time code digests).
 * POST /passwordless/start takes unauthenticated input and only digests codes, so it reads the
 * MAC key and never the keyset (it could mint tokens with it).
 */
const reviewedSecrets: Record<string, { keyset: boolean; codeMacKey: boolean }> = {
  discovery: { keyset: true, codeMacKey: false },
  token: { keyset: true, codeMacKey: true },
  authorize: { keyset: true, codeMacKey: true },
  dbconnections: { keyset: false, codeMacKey: false },
  userinfo: { keyset: true, codeMacKey: false },
  logout: { keyset: true, codeMacKey: false },
  passwordless: { keyset: false, codeMacKey: true },
  mfa: { keyset: true, codeMacKey: true },
};

test('the exact secrets every endpoint function may read, as reviewed', () => {
  assert.deepEqual(Object.keys(functionGroups).sort(), Object.keys(reviewedSecrets).sort(), 'every group is reviewed');
  const secretOf = (prefix: string) => ({ Ref: logicalIdOf(prefix, 'AWS::SecretsManager::Secret') });
  for (const [name, expected] of Object.entries(reviewedSecrets)) {
    const readable = statementsOfRole(roleOf(name))
      .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
      .flatMap((s) => ([] as unknown[]).concat(s.Resource).map((r) => JSON.stringify(r)));
    const expectedSecrets = [...(expected.keyset ? [secretOf('KeysetSecret')] : []), ...(expected.codeMacKey ? [secretOf('CodeMacKeySecret')] : [])];
    assert.deepEqual(readable.sort(), expectedSecrets.map((r) => JSON.stringify(r)).sort(), name);
    const group = (functionGroups as Record<string, FunctionGroup>)[name]!;
    assert.deepEqual({ keyset: group.readsKeyset, codeMacKey: group.digestsCodes }, expected, `${name}: infra/routes.ts agrees`);
  }
});

test('discovery, userinfo, logout, passwordless and mfa cannot write users; only authorize, dbconnections and token (passwordless first login) create them', () => {
  const writes = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];
  for (const name of ['discovery', 'userinfo', 'logout', 'passwordless', 'mfa']) {
    const users = grantedTables(name).users ?? [];
    assert.deepEqual(users.filter((a) => writes.includes(a)), [], name);
  }
  assert.deepEqual(grantedTables('discovery').users, undefined, 'discovery never sees a user');
  assert.deepEqual(grantedTables('logout').users, undefined, 'logout never sees a user');
  const creators = Object.keys(functionGroups).filter((name) => (grantedTables(name).users ?? []).includes('PutItem'));
  assert.deepEqual(creators.sort(), ['authorize', 'dbconnections', 'token']);
  // Only the MFA API and the hosted MFA pages enrol or remove factors; the grants confirm and claim.
  const factorWriters = Object.keys(functionGroups).filter((name) => (grantedTables(name).authenticators ?? []).some((a) => ['PutItem', 'DeleteItem'].includes(a)));
  assert.deepEqual(factorWriters.sort(), ['authorize', 'mfa']);
  // The keys function touches no table at all.
  assert.ok(!JSON.stringify(statementsOfRole(roleOf('keys'))).includes('dynamodb:'));
});

const sesStatements = (name: string) => statementsOfRole(roleOf(name)).filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
const fnResource = (name: string) => synth().json.Resources[logicalIdOf(`${name.charAt(0).toUpperCase()}${name.slice(1)}Function`, 'AWS::Lambda::Function')]!;
const senderGroups = () => (Object.entries(functionGroups) as [string, FunctionGroup][]).filter(([, g]) => g.sendsMail).map(([n]) => n);

test('functions that send email may send only as SenderEmail, through its SES identities', () => {
  assert.deepEqual(senderGroups().sort(), ['authorize', 'dbconnections', 'mfa', 'passwordless', 'token']);
  for (const name of senderGroups()) {
    const [statement, ...more] = sesStatements(name);
    assert.ok(statement, `${name} has an SES statement`);
    assert.equal(more.length, 0, name);
    assert.equal(statement.Effect, 'Allow');
    assert.deepEqual(actionsOf(statement), ['ses:SendEmail'], name);
    assert.deepEqual(statement.Condition, { StringEquals: { 'ses:FromAddress': { Ref: 'SenderEmail' } } }, name);
    const resources = ([] as unknown[]).concat(statement.Resource).map((r) => JSON.stringify(r));
    assert.equal(resources.length, 2, name);
    // arn:<partition>:ses:<region>:<account>:identity/<SenderEmail> and …:identity/<its domain or SenderIdentityDomain>
    for (const r of resources) {
      assert.match(r, /":ses:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":identity\/"/, r);
      assert.ok(!r.includes('*'), `no wildcard identity: ${r}`);
    }
    // In either order (CDK sorts merged resources).
    const address = resources.find((r) => r.endsWith('":identity/",{"Ref":"SenderEmail"}]]}'));
    const domain = resources.find((r) => r !== address);
    assert.ok(address, `the address identity: ${resources}`);
    assert.ok(domain?.includes('{"Fn::If":["HasSenderIdentityDomain",{"Ref":"SenderIdentityDomain"},{"Fn::Select":[1,{"Fn::Split":["@",{"Ref":"SenderEmail"}]}]}]}'), domain);
    assert.deepEqual(fnResource(name).Properties.Environment.Variables.SES_FROM_ADDRESS, { Ref: 'SenderEmail' }, name);
  }
});

test('functions that do not send email have no SES permission and no sender address', () => {
  const others = [...Object.keys(functionGroups).filter((n) => !senderGroups().includes(n)), 'keys'];
  assert.deepEqual(others.sort(), ['discovery', 'keys', 'logout', 'userinfo']);
  for (const name of others) {
    assert.deepEqual(sesStatements(name), [], name);
    assert.ok(!JSON.stringify(statementsOfRole(roleOf(name))).includes('ses:'), name);
    assert.equal(fnResource(name).Properties.Environment?.Variables?.SES_FROM_ADDRESS, undefined, name);
  }
});

test('Lambda roles carry only the basic execution managed policy', () => {
  for (const name of [...Object.keys(functionGroups), 'keys']) {
    const role = synth().json.Resources[roleOf(name)]!;
    const managed = JSON.stringify(role.Properties.ManagedPolicyArns ?? []);
    assert.match(managed, /AWSLambdaBasicExecutionRole/, name);
    assert.equal((role.Properties.ManagedPolicyArns ?? []).length, 1, name);
  }
});

test('API Gateway may invoke each function only from its own method (no test-invoke permissions)', () => {
  const permissions = resourcesOfType('AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com');
  const routeCount = Object.values(synth().json.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Method').length;
  assert.equal(permissions.length, routeCount, 'one permission per method');
  for (const [id, permission] of permissions) assert.ok(!JSON.stringify(permission.Properties.SourceArn).includes('test-invoke-stage'), id);
});
