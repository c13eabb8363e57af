/**
 * A DynamoDB adapter for node-oidc-provider, written for the refresh benchmark from the
 * provider's adapter interface (the methods its models call: upsert, find, findByUid,
 * findByUserCode, consume, destroy, revokeByGrantId; see its memory adapter for the
 * semantics), so that the peer persists its grants and tokens as Portcullis does, instead of
 * keeping them in process memory. It is meant to be what a production adapter would do, no
 * cheaper:
 *
 *  - one table, partition key `pk` = `<model>#<id>`; the provider's payload kept whole as a
 *    map attribute (`payload`), read back as it was written;
 *  - `expiresAt` (epoch seconds, from the `expiresIn` the provider passes) is the table's TTL
 *    attribute; TTL deletes lazily, so `find` also checks it against the clock;
 *  - every `find` is a strongly consistent GetItem (a consumed refresh token must be seen as
 *    consumed by the next exchange; Portcullis reads its tokens consistently too);
 *  - `consume` is one UpdateItem setting `consumed` (on an item that exists), merged into the
 *    payload by `find`: the provider itself decides what a consumed artefact means;
 *  - `revokeByGrantId` finds the model's artefacts of a grant through a sparse global secondary
 *    index (`grantId`, sorted by `pk`, keys only) and deletes them in batches: one write per
 *    saved token, DynamoDB maintains the index (no separate grant-index item to keep in step);
 *  - `findByUid` (sessions) and `findByUserCode` (device codes) query sparse indexes on `uid`
 *    and `userCode`, as the provider's interface needs them (not used by the refresh grant).
 *
 * Clients stay static configuration (as Portcullis caches its tenant configuration), so the
 * provider never asks the adapter for `Client`.
 */
import { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export const indexes = { grant: 'grantId-pk', uid: 'uid', userCode: 'userCode' };

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The table and its three sparse indexes, TTL on `expiresAt`. `client` is a DynamoDBClient (or document client). */
export async function createPeerTable(client, tableName) {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'grantId', AttributeType: 'S' },
        { AttributeName: 'uid', AttributeType: 'S' },
        { AttributeName: 'userCode', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: indexes.grant,
          KeySchema: [
            { AttributeName: 'grantId', KeyType: 'HASH' },
            { AttributeName: 'pk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        { IndexName: indexes.uid, KeySchema: [{ AttributeName: 'uid', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
        { IndexName: indexes.userCode, KeySchema: [{ AttributeName: 'userCode', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
      ],
    }),
  );
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
}

/** The stored payload as the provider saved it, `consumed` merged in; undefined when absent or past its expiry. */
function payloadOf(item) {
  if (!item) return undefined;
  if (typeof item.expiresAt === 'number' && item.expiresAt <= nowSeconds()) return undefined;
  return item.consumed === undefined ? item.payload : { ...item.payload, consumed: item.consumed };
}

/** `doc`: a DynamoDBDocumentClient (removeUndefinedValues on); returns the provider's `adapter` option (a factory per model name). */
export function dynamoDbAdapter(doc, tableName) {
  class DynamoDbAdapter {
    constructor(model) {
      this.model = model;
    }

    key(id) {
      return `${this.model}#${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const item = { pk: this.key(id), payload };
      if (typeof expiresIn === 'number') item.expiresAt = nowSeconds() + expiresIn;
      // Top-level copies for the sparse indexes: artefacts of a grant, sessions by uid, device codes by user code.
      if (typeof payload.grantId === 'string') item.grantId = payload.grantId;
      if (this.model === 'Session' && typeof payload.uid === 'string') item.uid = payload.uid;
      if (typeof payload.userCode === 'string') item.userCode = payload.userCode;
      await doc.send(new PutCommand({ TableName: tableName, Item: item }));
    }

    async find(id) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: this.key(id) }, ConsistentRead: true }));
      return payloadOf(out.Item);
    }

    async findByUid(uid) {
      return this.#findByIndex(indexes.uid, 'uid', uid);
    }

    async findByUserCode(userCode) {
      return this.#findByIndex(indexes.userCode, 'userCode', userCode);
    }

    async #findByIndex(indexName, attribute, value) {
      const out = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: indexName,
          KeyConditionExpression: '#a = :v',
          ExpressionAttributeNames: { '#a': attribute },
          ExpressionAttributeValues: { ':v': value },
        }),
      );
      const prefix = `${this.model}#`;
      return payloadOf(out.Items?.find((item) => item.pk.startsWith(prefix)));
    }

    async consume(id) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: this.key(id) },
          // `consumed` is a DynamoDB reserved word, hence the name placeholder.
          UpdateExpression: 'SET #consumed = :now',
          // Never create a bare item for an id that is gone.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#consumed': 'consumed' },
          ExpressionAttributeValues: { ':now': nowSeconds() },
        }),
      );
    }

    async destroy(id) {
      await doc.send(new DeleteCommand({ TableName: tableName, Key: { pk: this.key(id) } }));
    }

    async revokeByGrantId(grantId) {
      const keys = [];
      let ExclusiveStartKey;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: indexes.grant,
            KeyConditionExpression: 'grantId = :g AND begins_with(pk, :model)',
            ExpressionAttributeValues: { ':g': grantId, ':model': `${this.model}#` },
            ExclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) keys.push(item.pk);
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      for (let i = 0; i < keys.length; i += 25) {
        let requests = keys.slice(i, i + 25).map((pk) => ({ DeleteRequest: { Key: { pk } } }));
        // BatchWriteItem may leave some undone under throttling: retry those, with a short backoff.
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
          requests = out.UnprocessedItems?.[tableName] ?? [];
          if (attempt > 8 && requests.length > 0) throw new Error(`revokeByGrantId: ${requests.length} deletions left unprocessed`);
        }
      }
    }
  }
  return (model) => new DynamoDbAdapter(model);
}
