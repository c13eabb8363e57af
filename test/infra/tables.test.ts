import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tables } from '#infra/tables';
import { tableStem } from '#infra/storage';
import { logicalIdOf, synth } from './synth.ts';

const table = (id: Parameters<typeof tableStem>[0]) => {
  const logicalId = logicalIdOf(`${tableStem(id)}Table`, 'AWS::DynamoDB::GlobalTable');
  return synth().json.Resources[logicalId]!;
};

test('one TableV2 (AWS::DynamoDB::GlobalTable) per table definition, on demand', () => {
  synth().template.resourceCountIs('AWS::DynamoDB::GlobalTable', tables.length);
  for (const definition of tables) assert.equal(table(definition.id).Properties.BillingMode, 'PAY_PER_REQUEST');
});

test('keys: string pk, plus string sk where the definition asks for one', () => {
  for (const definition of tables) {
    const { KeySchema, AttributeDefinitions } = table(definition.id).Properties;
    const expectedKeys = [{ AttributeName: 'pk', KeyType: 'HASH' }];
    if (definition.sortKey) expectedKeys.push({ AttributeName: 'sk', KeyType: 'RANGE' });
    assert.deepEqual(KeySchema, expectedKeys, definition.id);
    for (const { AttributeType } of AttributeDefinitions) assert.equal(AttributeType, 'S');
  }
});

test('TTL on expiresAt exactly where defined', () => {
  for (const definition of tables) {
    const ttl = table(definition.id).Properties.TimeToLiveSpecification;
    if (definition.ttlAttribute) assert.deepEqual(ttl, { AttributeName: 'expiresAt', Enabled: true }, definition.id);
    else assert.equal(ttl, undefined, definition.id);
  }
});

test('durable tables: PITR, deletion protection, Retain; ephemeral tables: none of them', () => {
  for (const definition of tables) {
    const resource = table(definition.id);
    const replica = resource.Properties.Replicas[0];
    const pitr = replica.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled ?? false;
    assert.equal(pitr, definition.durable, `${definition.id} PITR`);
    assert.equal(replica.DeletionProtectionEnabled ?? false, definition.durable, `${definition.id} deletion protection`);
    assert.equal(resource.DeletionPolicy, definition.durable ? 'Retain' : 'Delete', `${definition.id} deletion policy`);
    assert.equal(resource.UpdateReplacePolicy, definition.durable ? 'Retain' : 'Delete', `${definition.id} replace policy`);
  }
  assert.ok(tables.some((t) => t.durable) && tables.some((t) => !t.durable), 'both kinds exist');
});

test('sessions: TTL on expiresAt, ephemeral (no PITR, no deletion protection, deleted with the stack)', () => {
  const resource = table('sessions');
  assert.deepEqual(resource.Properties.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
  assert.deepEqual(resource.Properties.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }]);
  const replica = resource.Properties.Replicas[0];
  assert.equal(replica.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled ?? false, false);
  assert.equal(replica.DeletionProtectionEnabled ?? false, false);
  assert.equal(resource.DeletionPolicy, 'Delete');
});

test('refreshTokens: TTL on expiresAt, and durable: PITR, deletion protection, Retain on delete and replace', () => {
  const resource = table('refreshTokens');
  assert.deepEqual(resource.Properties.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
  assert.deepEqual(resource.Properties.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }]);
  const replica = resource.Properties.Replicas[0];
  assert.equal(replica.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled, true);
  assert.equal(replica.DeletionProtectionEnabled, true);
  assert.equal(resource.DeletionPolicy, 'Retain');
  assert.equal(resource.UpdateReplacePolicy, 'Retain');
});

test('authenticators: pk and sk (one Query lists a user\'s factors), no TTL, durable: PITR, deletion protection, Retain', () => {
  const resource = table('authenticators');
  assert.deepEqual(resource.Properties.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
  assert.equal(resource.Properties.TimeToLiveSpecification, undefined);
  const replica = resource.Properties.Replicas[0];
  assert.equal(replica.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled, true);
  assert.equal(replica.DeletionProtectionEnabled, true);
  assert.equal(resource.DeletionPolicy, 'Retain');
  assert.equal(resource.UpdateReplacePolicy, 'Retain');
});
