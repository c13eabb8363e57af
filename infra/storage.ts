import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { tables, type TableDefinition, type TableId } from './tables.ts';

export type Tables = Readonly<Record<TableId, TableV2>>;

/** `rateLimits` → `RateLimits`: the logical-id and output-name stem of a table. */
export function tableStem(id: TableId): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}

/**
 * The DynamoDB tables, built from the same definitions the local server uses (infra/tables.ts).
 * Durable tables (users, clients) get PITR, deletion protection and RETAIN; ephemeral ones
 * (codes, rate-limit counters) get none of them, since losing them costs nothing (aws-notes §4.2).
 */
export function createTables(scope: Construct): Tables {
  const entries = tables.map((definition) => [definition.id, createTable(scope, definition)] as const);
  return Object.fromEntries(entries) as Record<TableId, TableV2>;
}

function createTable(scope: Construct, definition: TableDefinition): TableV2 {
  // TableV2 synthesizes AWS::DynamoDB::GlobalTable with one replica (aws-notes §2.3).
  return new TableV2(scope, `${tableStem(definition.id)}Table`, {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: definition.sortKey ? { name: 'sk', type: AttributeType.STRING } : undefined,
    billing: Billing.onDemand(),
    timeToLiveAttribute: definition.ttlAttribute,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: definition.durable },
    deletionProtection: definition.durable,
    removalPolicy: definition.durable ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
}
