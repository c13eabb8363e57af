import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLocalTables } from '../../infra/local/create-tables.ts';
import { ensureLocalSecretsKey } from '../../infra/keys/local-secrets-key.ts';
import { tables } from '../../infra/tables.ts';
import { resetRuntimeConfig } from '../../shared/config.ts';
import { startLocalServer, type LocalServer } from './local-server.ts';

/**
 * The real local server, plus this test process wired to the very same tables, keyset and
 * secrets key — so a test can put MFA authenticators, OOB challenges or mfa_tokens straight
 * through the store modules (as an enrolment through /mfa/associate would) and then drive the
 * grants over HTTP. The data folder is the test's own (persistent mode, so the server keeps
 * its keys there) with a unique table prefix.
 */
/** The tenant-file sections that turn MFA on for every login, with every factor Portcullis offers. */
export const mfaForEveryLogin = {
  guardianPolicies: { policies: ['all-applications'] },
  guardianFactors: [
    { name: 'otp', enabled: true },
    { name: 'sms', enabled: true },
    { name: 'email', enabled: true },
    { name: 'recovery-code', enabled: true },
  ],
};

export interface MfaServer {
  readonly server: LocalServer;
  stop(): Promise<void>;
}

export async function startMfaServer(tenant: Record<string, unknown>): Promise<MfaServer> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: run with test/support/global-setup.ts');
  const dataDir = await mkdtemp(join(tmpdir(), 'portcullis-mfa-'));
  const prefix = `m${randomBytes(6).toString('hex')}`;
  // Made before the server starts, which then finds and uses it.
  await ensureLocalSecretsKey(join(dataDir, 'secrets-key.json'));
  const server = await startLocalServer({ tenant, persistent: { dataDir }, env: { PORTCULLIS_TABLE_PREFIX: prefix } });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ISSUER: server.issuer,
    KEYSET_FILE: join(dataDir, 'keyset.json'),
    SECRETS_KEY_FILE: join(dataDir, 'secrets-key.json'),
    OUTBOX_FILE: join(dataDir, 'outbox.jsonl'),
  });
  // The tables exist already (the server made them): this only names them.
  const names = await createLocalTables(new DynamoDBClient({ endpoint }), prefix);
  for (const table of tables) process.env[table.envVar] = names[table.id];
  resetRuntimeConfig();
  return {
    server,
    stop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
