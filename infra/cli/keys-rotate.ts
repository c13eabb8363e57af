import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readKeysetSecret, writeKeysetSecret } from '#functions/keys/keyset-secret';
import { summarizeKeyset } from '#functions/keys/keyset-summary';
import { rotateKeyset, type KeysetDocument } from '#shared/tokens/keyset-document';
import { rotateLocalKeyset } from '../keys/local-keyset.ts';
import { stackOutputs } from './stack-outputs.ts';

/**
 * One rotation step of the signing keyset (next → current → previous, aws-notes §3.3):
 *   npm run keys:rotate [-- --data-dir DIR]              the local keyset, DIR/keyset.json (default .local)
 *   npm run keys:rotate -- --stack NAME [--region REGION] a deployed stack's secret, with your AWS credentials
 * The stack's KeysetSecretArn output names the secret; your identity needs GetSecretValue and
 * PutSecretValue on it, plus kms:Decrypt and kms:GenerateDataKey on its key (the key policy
 * lets IAM grant those through Secrets Manager only). Prints key ids and statuses, never key
 * material. Errors: one line on stderr, exit code 1.
 */
const usage = 'usage: npm run keys:rotate [-- --data-dir DIR] | npm run keys:rotate -- --stack NAME [--region REGION]';

class UsageError extends Error {}

async function main(argv: readonly string[]): Promise<void> {
  let values: { 'data-dir'?: string; stack?: string; region?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { 'data-dir': { type: 'string' }, stack: { type: 'string' }, region: { type: 'string' } },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.stack && values['data-dir']) throw new UsageError('--stack and --data-dir exclude each other');
  if (values.region && !values.stack) throw new UsageError('--region needs --stack');

  if (!values.stack) {
    const path = join(values['data-dir'] ?? '.local', 'keyset.json');
    const verb = existsSync(path) ? 'Rotated' : 'Created and rotated';
    report(`${verb} the local keyset ${path}`, await rotateLocalKeyset(path));
    return;
  }
  const secretArn = (await stackOutputs(values.stack, values.region)).KeysetSecretArn;
  if (!secretArn) throw new Error(`stack ${values.stack} has no KeysetSecretArn output`);
  const client = new SecretsManagerClient({ region: values.region });
  const rotated = await rotateKeyset((await readKeysetSecret(client, secretArn)) ?? { keys: [] });
  await writeKeysetSecret(client, secretArn, rotated);
  report(`Rotated the keyset of stack ${values.stack} (${secretArn})`, rotated);
  process.stdout.write('Warm functions pick the new keys up within KEYSET_CACHE_MS (5 minutes).\n');
}

function report(heading: string, doc: KeysetDocument): void {
  const lines = summarizeKeyset(doc).map((k) => `  ${k.alg.padEnd(6)} ${k.status.padEnd(8)} ${k.kid}  created ${k.createdAt}`);
  process.stdout.write(`${heading}:\n${lines.join('\n')}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
  process.stderr.write(`keys:rotate: ${message}${error instanceof UsageError ? ` (${usage})` : ''}\n`);
  process.exitCode = 1;
});
