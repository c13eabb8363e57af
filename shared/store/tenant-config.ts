import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import {
  CONFIG_PARTITION,
  clientGrantKey,
  clientDefaults,
  type ClientGrantRecord,
  type ClientRecord,
  type ConnectionRecord,
  type CustomDomainRecord,
  type ResourceServerRecord,
  type TenantConfig,
  type TenantSettings,
} from '../tenant/model.ts';
import { ddb } from './ddb.ts';

/**
 * The tenant configuration, read whole with one Query of the `config` partition and cached
 * for `configCacheMs`: client, API and grant lookups then cost no database round trip per
 * request (issue 2 §6). A tenant file change reaches warm functions within that window.
 */
export const emptySettings: TenantSettings = {
  mtls: { enable_endpoint_aliases: false },
  rate_limits: {},
  extra: {},
};

let cache: { config: TenantConfig; expiresAt: number } | undefined;
let inFlight: Promise<TenantConfig> | undefined;

export async function tenantConfig(now = Date.now()): Promise<TenantConfig> {
  if (cache && cache.expiresAt > now) return cache.config;
  inFlight ??= loadTenantConfig()
    .then((config) => {
      cache = { config, expiresAt: Date.now() + runtimeConfig().configCacheMs };
      return config;
    })
    .finally(() => {
      inFlight = undefined;
    });
  return inFlight;
}

/** Drops the cache; the local server calls it after applying a tenant file. */
export function invalidateTenantConfig(): void {
  cache = undefined;
}

/** Reads the whole `config` partition; `tableName` and `client` default to the function's own. */
export async function loadTenantConfig(tableName = runtimeConfig().tables.clients, client = ddb()): Promise<TenantConfig> {
  const clients = new Map<string, ClientRecord>();
  const resourceServers = new Map<string, ResourceServerRecord>();
  const clientGrants = new Map<string, ClientGrantRecord>();
  const connections = new Map<string, ConnectionRecord>();
  const customDomains = new Map<string, CustomDomainRecord>();
  let settings = emptySettings;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': CONFIG_PARTITION },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      const sk = String(item.sk);
      const data = item.data as never;
      const kind = sk.slice(0, sk.indexOf('#') === -1 ? sk.length : sk.indexOf('#'));
      if (kind === 'settings') settings = { ...emptySettings, ...(data as TenantSettings) };
      else if (kind === 'client') clients.set((data as ClientRecord).client_id, { ...clientDefaults, ...(data as ClientRecord) });
      else if (kind === 'api') resourceServers.set((data as ResourceServerRecord).identifier, data);
      else if (kind === 'grant') {
        const grant = data as ClientGrantRecord;
        clientGrants.set(clientGrantKey(grant.client_id, grant.audience), grant);
      } else if (kind === 'connection') connections.set((data as ConnectionRecord).name, data);
      else if (kind === 'domain') customDomains.set((data as CustomDomainRecord).domain.toLowerCase(), data);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { settings, clients, resourceServers, clientGrants, connections, customDomains };
}
