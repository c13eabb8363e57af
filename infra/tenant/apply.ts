import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hashPassword } from '../../shared/crypto/password.ts';
import { hashSecret, verifySecret } from '../../shared/crypto/secret-hash.ts';
import { loadTenantConfig } from '../../shared/store/tenant-config.ts';
import { createUser } from '../../shared/store/users.ts';
import { CONFIG_PARTITION, configItemKey, type ClientRecord } from '../../shared/tenant/model.ts';
import { planTenant } from './plan.ts';

/**
 * Applies a parsed tenant file to a tenant's tables: plan (validate everything, refuse the
 * whole file on any problem), hash the secrets, then write. Re-applying the same file changes
 * nothing; entries missing from the file stay unless `prune`; users are created when absent
 * and never overwritten (their passwords may have changed since).
 */
export interface ApplyTarget {
  readonly client: DynamoDBDocumentClient;
  readonly clientsTable: string;
  readonly usersTable: string;
}

export interface ApplyReport {
  readonly clients: readonly { name: string; client_id: string; client_secret?: string }[];
  readonly written: number;
  readonly pruned: number;
  readonly usersCreated: number;
}

export async function applyTenant(doc: unknown, target: ApplyTarget, options: { prune?: boolean } = {}): Promise<ApplyReport> {
  const existing = await loadTenantConfig(target.clientsTable, target.client);
  const plan = planTenant(doc, existing);

  const clients: ClientRecord[] = await Promise.all(
    plan.clients.map(async (c) => {
      const hash = c.secret !== undefined ? await hashOnce(c.secret, existing.clients.get(c.record.client_id)?.client_secret_hash) : c.keepHash;
      return { ...c.record, ...(hash ? { client_secret_hash: hash } : {}) };
    }),
  );
  const items: { sk: string; data: unknown }[] = [
    { sk: configItemKey.settings(), data: plan.settings },
    ...clients.map((c) => ({ sk: configItemKey.client(c.client_id), data: c })),
    ...plan.resourceServers.map((r) => ({ sk: configItemKey.resourceServer(r.identifier), data: r })),
    ...plan.clientGrants.map((g) => ({ sk: configItemKey.clientGrant(g.client_id, g.audience), data: g })),
    ...plan.connections.map((c) => ({ sk: configItemKey.connection(c.name), data: c })),
    ...plan.customDomains.map((d) => ({ sk: configItemKey.customDomain(d.domain), data: d })),
  ];
  await batchWrite(target, items.map((i) => ({ PutRequest: { Item: { pk: CONFIG_PARTITION, sk: i.sk, data: i.data } } })));

  let pruned = 0;
  if (options.prune) {
    const keep = new Set(items.map((i) => i.sk));
    const stale = existingKeys(existing).filter((sk) => !keep.has(sk));
    await batchWrite(target, stale.map((sk) => ({ DeleteRequest: { Key: { pk: CONFIG_PARTITION, sk } } })));
    pruned = stale.length;
  }

  let usersCreated = 0;
  for (const user of plan.users) {
    const { password, password_hash: imported, ...rest } = user;
    // An imported hash is stored as it is (a bcrypt one is replaced by argon2id at the first login).
    const password_hash = imported ?? (await hashPassword(password!));
    const created = await createUser(
      { ...rest, password_hash },
      { tableName: target.usersTable, client: target.client },
    );
    if (created.ok) usersCreated++;
  }

  return {
    clients: plan.clients.map((c) => ({
      name: c.record.name,
      client_id: c.record.client_id,
      ...(c.secretGenerated && c.secret ? { client_secret: c.secret } : {}),
    })),
    written: items.length,
    pruned,
    usersCreated,
  };
}

/**
 * The stored hash when it already matches the file's secret: a fresh salt on every apply
 * would rewrite the item (and drop every function's cached check) although nothing changed.
 */
async function hashOnce(secret: string, stored: string | undefined): Promise<string> {
  if (stored && (await verifySecret(secret, stored))) return stored;
  return hashSecret(secret);
}

function existingKeys(existing: Awaited<ReturnType<typeof loadTenantConfig>>): string[] {
  return [
    configItemKey.settings(),
    ...[...existing.clients.keys()].map(configItemKey.client),
    ...[...existing.resourceServers.keys()].map(configItemKey.resourceServer),
    ...[...existing.clientGrants.values()].map((g) => configItemKey.clientGrant(g.client_id, g.audience)),
    ...[...existing.connections.keys()].map(configItemKey.connection),
    ...[...existing.customDomains.keys()].map(configItemKey.customDomain),
  ];
}

async function batchWrite(target: ApplyTarget, requests: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending: Record<string, unknown>[] | undefined = requests.slice(i, i + 25);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error('DynamoDB kept returning unprocessed items; try again');
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const out = await target.client.send(new BatchWriteCommand({ RequestItems: { [target.clientsTable]: pending as never } }));
      pending = out.UnprocessedItems?.[target.clientsTable] as Record<string, unknown>[] | undefined;
    }
  }
}
