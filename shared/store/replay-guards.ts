import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import { sha256Base64Url } from '../crypto/digest.ts';
import { ddb, isConditionalCheckFailed } from './ddb.ts';

/**
 * Remembers a single-use identifier (a client assertion's `jti`) until it expires. The
 * conditional put is the whole check: of two concurrent uses exactly one write succeeds.
 * An expired guard that TTL has not yet deleted counts as absent.
 *
 * @returns true the first time, false on a replay.
 */
export async function firstUse(namespace: string, id: string, expiresAtSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): Promise<boolean> {
  try {
    await ddb().send(
      new PutCommand({
        TableName: runtimeConfig().tables.codes,
        Item: { pk: `${namespace}#${sha256Base64Url(id)}`, expiresAt: expiresAtSeconds },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': nowSeconds },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
