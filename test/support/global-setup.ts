import { startDynamoDbLocal, type RunningDynamoDb } from '../../infra/local/dynamodb-local.ts';

/**
 * One DynamoDB Local for the whole test run (node --test-global-setup), started by the tests
 * themselves. Test files and the servers they start share it through DYNAMODB_ENDPOINT, each
 * with its own table prefix. If DYNAMODB_ENDPOINT is already set, that database is used.
 */
let database: RunningDynamoDb | undefined;

export async function globalSetup(): Promise<void> {
  if (process.env.DYNAMODB_ENDPOINT) return;
  database = await startDynamoDbLocal({ inMemory: true, dataDir: '.' });
  process.env.DYNAMODB_ENDPOINT = database.endpoint;
}

export async function globalTeardown(): Promise<void> {
  await database?.stop();
}
