import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createLocalTables } from '../../../infra/local/create-tables.ts';
import { applyTenant, type ApplyTarget } from '../../../infra/tenant/apply.ts';
import { InvalidTenantFile, planTenant } from '../../../infra/tenant/plan.ts';
import { verifySecret } from '../../../shared/crypto/secret-hash.ts';
import { ddb } from '../../../shared/store/ddb.ts';
import { loadTenantConfig } from '../../../shared/store/tenant-config.ts';
import { CONFIG_PARTITION } from '../../../shared/tenant/model.ts';
import { useLocalTables } from '../../support/local-tables.ts';

type Doc = Record<string, unknown>;
const api = 'https://api.example.test/';
const fileSecret = 'file-secret-0123456789abcdef';
const proxyKey = 'proxy-key-0123456789abcdef';
const userPassword = 'Correct-Horse-7';

function tenantDoc(): Doc {
  return {
    tenant: { friendly_name: 'Integration', default_audience: api, rate_limits: { jwks: { burst: 5, per_second: 5 } } },
    resourceServers: [{ name: 'API', identifier: api, scopes: [{ value: 'read:a' }, { value: 'write:a' }], enforce_policies: true, token_dialect: 'access_token_authz' }],
    clients: [
      { name: 'with-file-secret', client_id: 'client-file', client_secret: fileSecret, grant_types: ['client_credentials'] },
      { name: 'with-generated-secret', grant_types: ['client_credentials'] },
      { name: 'public', app_type: 'spa', token_endpoint_auth_method: 'none' },
    ],
    clientGrants: [
      { client_id: 'with-file-secret', audience: api, scope: ['read:a'] },
      { client_id: 'with-generated-secret', audience: api, scope: ['read:a', 'write:a'] },
    ],
    connections: [{ name: 'Users', strategy: 'auth0', enabled_clients: ['public'] }],
    customDomains: [{ domain: 'login.example.com', cname_api_key: proxyKey }],
    users: [{ connection: 'Users', email: 'Jane@Example.com', password: userPassword }],
  };
}

let endpoint: string;
/** Fresh tables for one test; apply and the loader get their names explicitly. */
async function freshTarget(): Promise<ApplyTarget> {
  const names = await createLocalTables(new DynamoDBClient({ endpoint }), `t${randomBytes(6).toString('hex')}`);
  return { client: ddb(), clientsTable: names.clients, usersTable: names.users };
}
async function configItems(target: ApplyTarget): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await target.client.send(new QueryCommand({ TableName: target.clientsTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': CONFIG_PARTITION }, ExclusiveStartKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}
async function scanAll(client: ApplyTarget['client'], table: string): Promise<Record<string, unknown>[]> {
  return (await client.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];
}

describe('applyTenant and loadTenantConfig (DynamoDB Local)', () => {
  before(async () => {
    await useLocalTables();
    endpoint = process.env.DYNAMODB_ENDPOINT!;
  });

  describe('a first apply', () => {
    let target: ApplyTarget;
    let report: Awaited<ReturnType<typeof applyTenant>>;
    before(async () => {
      target = await freshTarget();
      report = await applyTenant(tenantDoc(), target);
    });

    test('loads back as the planned configuration', async () => {
      const loaded = await loadTenantConfig(target.clientsTable, target.client);
      const plan = planTenant(tenantDoc(), loaded);
      assert.deepEqual({ ...loaded.settings }, JSON.parse(JSON.stringify(plan.settings)));
      assert.deepEqual([...loaded.resourceServers.values()], plan.resourceServers);
      assert.deepEqual([...loaded.clientGrants.values()].sort((a, b) => a.client_id.localeCompare(b.client_id)), [...plan.clientGrants].sort((a, b) => a.client_id.localeCompare(b.client_id)));
      assert.deepEqual([...loaded.connections.values()], plan.connections);
      assert.deepEqual([...loaded.customDomains.values()], plan.customDomains);
      assert.deepEqual([...loaded.clients.keys()].sort(), plan.clients.map((c) => c.record.client_id).sort());
      for (const c of plan.clients) {
        const { client_secret_hash: _hash, ...record } = loaded.clients.get(c.record.client_id)!;
        assert.deepEqual(record, c.record);
      }
    });

    test('secrets are stored as argon2id hashes that verify, never in clear', async () => {
      const loaded = await loadTenantConfig(target.clientsTable, target.client);
      const fileClient = loaded.clients.get('client-file')!;
      assert.equal(await verifySecret(fileSecret, fileClient.client_secret_hash!), true);
      const generated = report.clients.find((c) => c.name === 'with-generated-secret')!;
      assert.equal(await verifySecret(generated.client_secret!, loaded.clients.get(generated.client_id)!.client_secret_hash!), true);
      const raw = JSON.stringify(await configItems(target));
      for (const secret of [fileSecret, generated.client_secret!, proxyKey]) assert.equal(raw.includes(secret), false);
      assert.equal(loaded.clients.get(report.clients.find((c) => c.name === 'public')!.client_id)!.client_secret_hash, undefined);
    });

    test('the report shows only the generated secret, once', () => {
      assert.deepEqual(report.clients.map((c) => [c.name, c.client_secret !== undefined]), [['with-file-secret', false], ['with-generated-secret', true], ['public', false]]);
      assert.equal(report.written, 1 + 3 + 1 + 2 + 1 + 1);
      assert.equal(report.pruned, 0);
      assert.equal(report.usersCreated, 1);
    });

    test('the user is created with an email guard and a hashed password', async () => {
      const items = await scanAll(target.client, target.usersTable);
      assert.equal(items.length, 2);
      const user = items.find((i) => String(i.pk).startsWith('user#'))!;
      assert.equal(user.email, 'jane@example.com');
      assert.equal(await verifySecret(userPassword, String(user.password_hash)), true);
      assert.equal(JSON.stringify(items).includes(userPassword), false);
      assert.ok(items.some((i) => i.pk === 'email#Users#jane@example.com' && i.user_id === user.user_id));
    });
  });

  describe('re-applying the same file', () => {
    test('changes no item, generates no secret and creates no user', async () => {
      const target = await freshTarget();
      await applyTenant(tenantDoc(), target);
      const before = await configItems(target);
      const usersBefore = await scanAll(target.client, target.usersTable);
      const again = await applyTenant(tenantDoc(), target);
      assert.deepEqual(await configItems(target), before);
      assert.deepEqual(again.clients.filter((c) => c.client_secret !== undefined), []);
      assert.equal(again.usersCreated, 0);
      assert.deepEqual(
        (await scanAll(target.client, target.usersTable)).map((i) => i.pk).sort(),
        usersBefore.map((i) => i.pk).sort(),
      );
    });

    test('keeps client ids matched by name, with the secret generated the first time still valid', async () => {
      const target = await freshTarget();
      const first = await applyTenant(tenantDoc(), target);
      await applyTenant(tenantDoc(), target);
      const generated = first.clients.find((c) => c.name === 'with-generated-secret')!;
      const loaded = await loadTenantConfig(target.clientsTable, target.client);
      assert.equal(await verifySecret(generated.client_secret!, loaded.clients.get(generated.client_id)!.client_secret_hash!), true);
    });

    test('a changed secret in the file replaces the stored hash', async () => {
      const target = await freshTarget();
      await applyTenant(tenantDoc(), target);
      const doc = tenantDoc();
      (doc.clients as Doc[])[0]!.client_secret = 'a-brand-new-secret-000000';
      await applyTenant(doc, target);
      const hash = (await loadTenantConfig(target.clientsTable, target.client)).clients.get('client-file')!.client_secret_hash!;
      assert.equal(await verifySecret('a-brand-new-secret-000000', hash), true);
      assert.equal(await verifySecret(fileSecret, hash), false);
    });
  });

  describe('entries missing from the file', () => {
    const smaller = (): Doc => {
      const doc = tenantDoc();
      doc.clients = (doc.clients as Doc[]).filter((c) => c.name !== 'with-generated-secret');
      doc.clientGrants = (doc.clientGrants as Doc[]).filter((g) => g.client_id !== 'with-generated-secret');
      doc.customDomains = [];
      return doc;
    };

    test('stay without prune', async () => {
      const target = await freshTarget();
      await applyTenant(tenantDoc(), target);
      const report = await applyTenant(smaller(), target);
      const loaded = await loadTenantConfig(target.clientsTable, target.client);
      assert.equal(report.pruned, 0);
      assert.equal(loaded.clients.size, 3);
      assert.equal(loaded.clientGrants.size, 2);
      assert.equal(loaded.customDomains.size, 1);
    });

    test('are removed with prune, and nothing else is', async () => {
      const target = await freshTarget();
      await applyTenant(tenantDoc(), target);
      const report = await applyTenant(smaller(), target, { prune: true });
      const loaded = await loadTenantConfig(target.clientsTable, target.client);
      assert.equal(report.pruned, 3);
      assert.deepEqual([...loaded.clients.values()].map((c) => c.name).sort(), ['public', 'with-file-secret']);
      assert.deepEqual([...loaded.clientGrants.values()].map((g) => g.client_id), ['client-file']);
      assert.equal(loaded.customDomains.size, 0);
      assert.equal(loaded.resourceServers.size, 1);
      assert.equal(loaded.connections.size, 1);
      assert.equal(loaded.settings.friendly_name, 'Integration');
    });
  });

  describe('an invalid file', () => {
    const invalid = (): Doc => {
      const doc = tenantDoc();
      (doc.clients as Doc[]).push({ name: 'broken', client_secret: 'short' });
      return doc;
    };

    test('writes nothing to empty tables', async () => {
      const target = await freshTarget();
      await assert.rejects(applyTenant(invalid(), target), InvalidTenantFile);
      assert.deepEqual(await scanAll(target.client, target.clientsTable), []);
      assert.deepEqual(await scanAll(target.client, target.usersTable), []);
    });

    test('leaves an applied configuration as it was, even with prune', async () => {
      const target = await freshTarget();
      await applyTenant(tenantDoc(), target);
      const before = await configItems(target);
      await assert.rejects(applyTenant({ clients: [{ name: 'broken', client_secret: 'short' }] }, target, { prune: true }), InvalidTenantFile);
      assert.deepEqual(await configItems(target), before);
    });

    test('with repeated entries spread over several write batches writes nothing', async () => {
      const target = await freshTarget();
      const doc = tenantDoc();
      doc.clients = [...(doc.clients as Doc[]), ...Array.from({ length: 40 }, (_, i) => ({ name: `spa-${i}`, app_type: 'spa', token_endpoint_auth_method: 'none' }))];
      doc.connections = [{ name: 'Users' }, { name: 'Users' }];
      await assert.rejects(applyTenant(doc, target), InvalidTenantFile);
      assert.deepEqual(await scanAll(target.client, target.clientsTable), []);
    });
  });

  describe('a configuration larger than one query page (1 MB)', () => {
    const big = (count: number): Doc => ({
      clients: Array.from({ length: count }, (_, i) => ({
        name: `client-${String(i).padStart(3, '0')}`,
        client_id: `big-${String(i).padStart(3, '0')}`,
        app_type: 'spa',
        token_endpoint_auth_method: 'none',
        description: `${i}:`.padEnd(5_000, 'x'),
      })),
    });
    let target: ApplyTarget;
    before(async () => {
      target = await freshTarget();
      await applyTenant(big(300), target);
    });

    test('really spans several pages', async () => {
      const page = await target.client.send(new QueryCommand({ TableName: target.clientsTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': CONFIG_PARTITION } }));
      assert.ok(page.LastEvaluatedKey, 'a single query page holds everything: the test proves nothing');
      assert.ok((page.Items ?? []).length < 300);
    });

    test('is read whole, every page', async () => {
      const loaded = await loadTenantConfig(target.clientsTable, target.client);
      assert.equal(loaded.clients.size, 300);
      assert.equal(loaded.clients.get('big-299')?.extra.description, '299:'.padEnd(5_000, 'x'));
    });

    test('prunes across pages', async () => {
      const report = await applyTenant(big(150), target, { prune: true });
      assert.equal(report.pruned, 150);
      const loaded = await loadTenantConfig(target.clientsTable, target.client);
      assert.equal(loaded.clients.size, 150);
      assert.equal(loaded.clients.has('big-149'), true);
      assert.equal(loaded.clients.has('big-150'), false);
    });
  });
});
