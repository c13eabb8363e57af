import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { applyTenant } from '../tenant/apply.ts';
import { InvalidTenantFile, planTenant } from '../tenant/plan.ts';
import { readTenantFile } from '../tenant/read-file.ts';
import { stackOutputs } from './stack-outputs.ts';

/**
 * The tenant file against a deployed stack, with the caller's AWS credentials:
 *   npm run tenant -- validate FILE
 *   npm run tenant -- apply FILE --stack NAME [--region REGION] [--prune]
 * The stack's outputs name the tables; re-applying is idempotent; entries removed from the
 * file stay unless --prune. (Locally, `npm start -- --tenant FILE` applies it.)
 */
const usage = 'usage: npm run tenant -- validate FILE\n       npm run tenant -- apply FILE --stack NAME [--region REGION] [--prune]';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { stack: { type: 'string' }, region: { type: 'string' }, prune: { type: 'boolean', default: false } },
  });
  const [command, file] = positionals;
  if (!file || (command !== 'apply' && command !== 'validate')) throw new UsageError(usage);
  const doc = await readTenantFile(file);
  if (command === 'validate') {
    const plan = planTenant(doc, undefined);
    process.stdout.write(`${file} is valid: ${plan.clients.length} clients, ${plan.resourceServers.length} APIs, ${plan.clientGrants.length} client grants, ${plan.connections.length} connections, ${plan.users.length} users\n`);
    return;
  }
  if (!values.stack) throw new UsageError(`apply needs --stack NAME\n${usage}`);
  const outputs = await stackOutputs(values.stack, values.region);
  const clientsTable = outputs.ClientsTableName;
  const usersTable = outputs.UsersTableName;
  if (!clientsTable || !usersTable) throw new Error(`stack ${values.stack} has no ClientsTableName/UsersTableName outputs`);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: values.region }), { marshallOptions: { removeUndefinedValues: true } });
  const report = await applyTenant(doc, { client, clientsTable, usersTable }, { prune: values.prune });
  process.stdout.write(`Applied ${file} to ${values.stack}: ${report.written} entries written, ${report.pruned} pruned, ${report.usersCreated} users created.\n`);
  for (const c of report.clients) {
    process.stdout.write(`  ${c.name}: client_id ${c.client_id}${c.client_secret ? `  client_secret ${c.client_secret}  (shown once, stored hashed)` : ''}\n`);
  }
  process.stdout.write('Running functions pick the change up within ConfigCacheSeconds.\n');
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(error instanceof UsageError ? 2 : error instanceof InvalidTenantFile ? 1 : 1);
});
