import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { log } from '#shared/log';
import { initialKeyset, rotateKeyset } from '#shared/tokens/keyset-document';
import { readKeysetSecret, writeKeysetSecret } from './keyset-secret.ts';
import { rotationDue } from './rotation-due.ts';
import { summarizeKeyset, type KeySummary } from './keyset-summary.ts';

/**
 * The keys function: the only function allowed to write the keyset secret.
 * - CloudFormation custom resource (Provider framework), Create/Update: writes an initial
 *   keyset unless the secret already holds a usable one, so redeploys never replace keys.
 *   Delete: nothing (the secret goes with the stack).
 * - EventBridge schedule (`{"action":"rotate"}`, every KeyRotationDays): one rotation step,
 *   next → current → previous (aws-notes §3.3), unless one happened less than half a period
 *   ago (rotation-due.ts).
 */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
}

export interface RotationEvent {
  readonly action: 'rotate';
}

export interface CustomResourceResult {
  readonly PhysicalResourceId: string;
}

export interface RotationResult {
  readonly rotated: boolean;
  readonly keys: KeySummary[];
}

let client: SecretsManagerClient | undefined;

export async function handler(event: CustomResourceEvent | RotationEvent): Promise<CustomResourceResult | RotationResult> {
  const secretId = process.env.KEYSET_SECRET_ID;
  if (!secretId) throw new Error('keys: environment variable KEYSET_SECRET_ID is not set');
  client ??= new SecretsManagerClient({});

  if ('RequestType' in event) {
    // A stable id: a new one on Update would make CloudFormation "delete" the old resource.
    const physicalId = event.PhysicalResourceId ?? `keyset:${secretId}`;
    if (event.RequestType !== 'Delete') await ensureKeyset(client, secretId);
    return { PhysicalResourceId: physicalId };
  }
  if (event.action === 'rotate') {
    const existing = await readKeysetSecret(client, secretId);
    if (existing && !rotationDue(existing, Number(process.env.KEY_ROTATION_DAYS))) {
      log.warn('keyset rotation skipped: the newest key is younger than half a rotation period', { keys: summarizeKeyset(existing) });
      return { rotated: false, keys: summarizeKeyset(existing) };
    }
    const doc = await rotateKeyset(existing ?? { keys: [] });
    await writeKeysetSecret(client, secretId, doc);
    log.info('keyset rotated', { keys: summarizeKeyset(doc) });
    return { rotated: true, keys: summarizeKeyset(doc) };
  }
  throw new Error('keys: unknown event (expected a CloudFormation request or {"action":"rotate"})');
}

async function ensureKeyset(sm: SecretsManagerClient, secretId: string): Promise<void> {
  const existing = await readKeysetSecret(sm, secretId);
  if (existing) {
    log.info('keyset already initialized', { keys: summarizeKeyset(existing) });
    return;
  }
  const doc = await initialKeyset();
  await writeKeysetSecret(sm, secretId, doc);
  log.info('keyset initialized', { keys: summarizeKeyset(doc) });
}
