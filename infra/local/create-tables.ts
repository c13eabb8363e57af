import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { localTableName, tables, type TableId } from '../tables.ts';

/** Creates the tables from the definitions the CDK stack uses (infra/tables.ts), unless they exist. */
export async function createLocalTables(client: DynamoDBClient, prefix: string): Promise<Record<TableId, string>> {
  const names = {} as Record<TableId, string>;
  for (const table of tables) {
    const name = localTableName(table.id, prefix);
    names[table.id] = name;
    try {
      await client.send(new DescribeTableCommand({ TableName: name }));
      continue;
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    }
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          ...(table.sortKey ? [{ AttributeName: 'sk', AttributeType: 'S' as const }] : []),
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          ...(table.sortKey ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : []),
        ],
      }),
    );
    if (table.ttlAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true } }),
      );
    }
  }
  return names;
}
