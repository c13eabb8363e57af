import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLocalTables } from '../../infra/local/create-tables.ts';
import { tables } from '../../infra/tables.ts';
import { resetRuntimeConfig } from '../../shared/config.ts';

/**
 * For integration tests of store modules: fresh tables (unique prefix) on the shared DynamoDB
 * Local, and the environment the store modules read (shared/config.ts) pointing at them.
 */
export async function useLocalTables(extraEnv: Record<string, string> = {}): Promise<Record<string, string>> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: run through npm test (test/support/global-setup.ts)');
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  const names = await createLocalTables(new DynamoDBClient({ endpoint }), `t${randomBytes(6).toString('hex')}`);
  for (const table of tables) process.env[table.envVar] = names[table.id];
  process.env.ISSUER ??= 'http://localhost:3000/';
  process.env.KEYSET_FILE ??= '/nonexistent/keyset.json';
  Object.assign(process.env, extraEnv);
  resetRuntimeConfig();
  return names;
}
