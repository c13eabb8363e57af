import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { Api } from './api.ts';
import type { DeployParameters } from './parameters.ts';
import { tableStem, type Tables } from './storage.ts';
import type { TableId } from './tables.ts';

export interface AlarmTargets {
  readonly apis: readonly Api[];
  /** Every function by logical-id stem, the keys function included (a failed rotation matters). */
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly tables: Tables;
}

const fiveMinutes = Duration.minutes(5);

/**
 * Alarms to one SNS topic mailed to AlarmEmail (aws-notes §7): API 5XX rate (a 5xx is always
 * a bug, DESIGN.md), Lambda errors and throttles, DynamoDB throttling per table.
 */
export function createAlarms(scope: Construct, parameters: DeployParameters, targets: AlarmTargets): Topic {
  const topic = new Topic(scope, 'AlarmTopic', { displayName: 'Portcullis alarms' });
  topic.addSubscription(new EmailSubscription(parameters.alarmEmail));
  const notify = new SnsAction(topic);
  const alarm = (id: string, description: string, metric: IMetric, threshold: number) =>
    new Alarm(scope, id, {
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(notify);

  for (const { name, restApi } of targets.apis) {
    // 5XXError is 0 or 1 per request, so its average is the error rate.
    const errorRate = restApi.metricServerError({ statistic: 'Average', period: fiveMinutes });
    alarm(`${restApi.node.id}5xxAlarm`, `Portcullis ${name} API: 5XX rate at or above 0.5% over 5 minutes`, errorRate, 0.005);
  }
  for (const [stem, fn] of Object.entries(targets.functions)) {
    alarm(`${stem}ErrorsAlarm`, `Portcullis ${stem}: function errors`, fn.metricErrors({ period: fiveMinutes }), 1);
    alarm(`${stem}ThrottlesAlarm`, `Portcullis ${stem}: function throttles`, fn.metricThrottles({ period: fiveMinutes }), 1);
  }
  for (const [id, table] of Object.entries(targets.tables) as [TableId, Tables[TableId]][]) {
    alarm(`${tableStem(id)}TableThrottlesAlarm`, `Portcullis ${id} table: throttled requests`, throttledRequests(table), 1);
  }
  return topic;
}

/**
 * ThrottledRequests summed over the operations the stores use. The metric only exists per
 * operation and only when something was throttled, and `a + b` has no value where either
 * series has none, so each term is FILLed with 0. An alarm takes at most ten metrics.
 */
function throttledRequests(table: Tables[TableId]): IMetric {
  const usingMetrics = Object.fromEntries(
    dataOperations.map((operation) => [operation.toLowerCase(), table.metricThrottledRequestsForOperation(operation, { period: fiveMinutes })]),
  );
  return new MathExpression({
    expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '),
    usingMetrics,
    period: fiveMinutes,
    label: 'Throttled requests, all operations',
  });
}

/** The operations Portcullis's stores use. */
const dataOperations = [
  Operation.GET_ITEM,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.QUERY,
  Operation.BATCH_GET_ITEM,
  Operation.TRANSACT_GET_ITEMS,
  Operation.TRANSACT_WRITE_ITEMS,
];
