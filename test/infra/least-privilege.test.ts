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

test('each endpoint function holds exactly the DynamoDB actions of its group, per table', () => {
  for (const [name, group] of Object.entries(functionGroups) as [string, FunctionGroup][]) {
    const granted = new Map<string, string[]>();
    for (const statement of statementsOfRole(roleOf(name))) {
      const dynamo = actionsOf(statement).filter((a) => a.startsWith('dynamodb:'));
      if (dynamo.length === 0) continue;
      const target = tables.find((t) => JSON.stringify(statement.Resource).includes(tableId(t.id)));
      assert.ok(target, `${name}: DynamoDB statement on an unknown resource ${JSON.stringify(statement.Resource)}`);
      // Exactly the table ARN: no index or stream ARNs, no "*".
      assert.deepEqual(statement.Resource, { 'Fn::GetAtt': [tableId(target.id), 'Arn'] });
      granted.set(target.id, [...(granted.get(target.id) ?? []), ...dynamo]);
    }
    const expected = Object.entries(group.tables).filter(([, actions]) => actions.length > 0);
    assert.deepEqual(
      Object.fromEntries([...granted].map(([id, actions]) => [id, [...actions].sort()])),
      Object.fromEntries(expected.map(([id, actions]) => [id, [...actions].sort()])),
      name,
    );
  }
});

test('the token function cannot touch the users table at all', () => {
  assert.ok(!('users' in functionGroups.token.tables), 'precondition: the route table gives token no users access');
  const statements = statementsOfRole(roleOf('token'));
  assert.ok(statements.length > 0);
  assert.ok(!JSON.stringify(statements).includes(tableId('users')));
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
