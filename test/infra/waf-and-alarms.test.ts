import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { functionGroups } from '#infra/routes';
import { tableStem } from '#infra/storage';
import { tables } from '#infra/tables';
import { logicalIdOf, resourcesOfType, synth } from './synth.ts';

test('a regional web ACL: per-IP rate rule from WafRateLimitPer5Min, then the AWS common rule set', () => {
  const [[, acl]] = resourcesOfType('AWS::WAFv2::WebACL') as [[string, any]];
  assert.equal(acl.Properties.Scope, 'REGIONAL');
  assert.deepEqual(acl.Properties.DefaultAction, { Allow: {} });
  const [rate, common] = acl.Properties.Rules;
  assert.deepEqual(rate.Statement.RateBasedStatement, { Limit: { Ref: 'WafRateLimitPer5Min' }, AggregateKeyType: 'IP', EvaluationWindowSec: 300 });
  assert.deepEqual(rate.Action, { Block: {} });
  assert.equal(common.Statement.ManagedRuleGroupStatement.Name, 'AWSManagedRulesCommonRuleSet');
  assert.equal(common.Statement.ManagedRuleGroupStatement.VendorName, 'AWS');
  assert.ok(rate.Priority < common.Priority);
});

test('the web ACL is associated with both API stages', () => {
  const aclId = resourcesOfType('AWS::WAFv2::WebACL')[0]![0];
  const associations = resourcesOfType('AWS::WAFv2::WebACLAssociation').map(([, a]) => a.Properties);
  const stages = resourcesOfType('AWS::ApiGateway::Stage').map(([id]) => id);
  assert.equal(stages.length, 2);
  for (const stage of stages) {
    const association = associations.find((a) => JSON.stringify(a.ResourceArn).includes(`"${stage}"`));
    assert.ok(association, `${stage} is protected`);
    assert.deepEqual(association.WebACLArn, { 'Fn::GetAtt': [aclId, 'Arn'] });
  }
});

test('alarms go to an SNS topic mailed to AlarmEmail', () => {
  const { template } = synth();
  template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } });
  const topicId = resourcesOfType('AWS::SNS::Topic')[0]![0];
  for (const [id, alarm] of resourcesOfType('AWS::CloudWatch::Alarm')) assert.deepEqual(alarm.Properties.AlarmActions, [{ Ref: topicId }], id);
});

test('a 5XXError alarm per API', () => {
  const { template } = synth();
  for (const api of ['PublicApi', 'MtlsApi']) {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5XXError',
      Namespace: 'AWS/ApiGateway',
      Dimensions: [{ Name: 'ApiName', Value: Match.stringLikeRegexp(api === 'PublicApi' ? '-public$' : '-mtls$') }],
    });
  }
});

test('Errors and Throttles alarms per function, the keys function included', () => {
  const { template } = synth();
  for (const stem of [...Object.keys(functionGroups), 'keys'].map((n) => `${n.charAt(0).toUpperCase()}${n.slice(1)}Function`)) {
    const fnId = logicalIdOf(stem, 'AWS::Lambda::Function');
    for (const metric of ['Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      });
    }
  }
});

test('a ThrottledRequests alarm per table', () => {
  const alarms = resourcesOfType('AWS::CloudWatch::Alarm').map(([, a]) => JSON.stringify(a.Properties.Metrics ?? []));
  for (const t of tables) {
    const tableId = logicalIdOf(`${tableStem(t.id)}Table`, 'AWS::DynamoDB::GlobalTable');
    const alarm = alarms.find((m) => m.includes('"ThrottledRequests"') && m.includes(`"${tableId}"`));
    assert.ok(alarm, `${t.id} has a throttling alarm`);
    const metrics = JSON.parse(alarm) as Array<{ Expression?: string }>;
    // CloudWatch alarms accept at most ten metrics (plus the expression), and a missing
    // series must count as zero or the sum would never have a value.
    assert.ok(metrics.length <= 11);
    const expression = metrics.find((m) => m.Expression)!.Expression!;
    assert.equal(expression.split('+').length, metrics.length - 1);
    assert.ok(expression.split('+').every((term) => /^\s*FILL\(\w+, 0\)\s*$/.test(term)), expression);
  }
});
