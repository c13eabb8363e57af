import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { Api } from './api.ts';
import type { DeployParameters } from './parameters.ts';

const visibility = (metricName: string) => ({
  metricName,
  cloudWatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
});

/**
 * One regional web ACL in front of both stages: a per-IP rate-based rule, which keeps floods
 * of one client off Lambda and DynamoDB's hot keys (aws-notes §4.2), then AWS's common rule
 * set. WAF is why the gateway is a REST API rather than an HTTP API (aws-notes §1).
 */
export function createWaf(scope: Construct, parameters: DeployParameters, apis: readonly Api[]): CfnWebACL {
  const webAcl = new CfnWebACL(scope, 'WebAcl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility('portcullis-web-acl'),
    rules: [
      {
        name: 'RateLimitPerIp',
        priority: 0,
        action: { block: {} },
        statement: {
          rateBasedStatement: { limit: parameters.wafRateLimitPer5Min, aggregateKeyType: 'IP', evaluationWindowSec: 300 },
        },
        visibilityConfig: visibility('portcullis-rate-limit-per-ip'),
      },
      {
        name: 'AwsCommonRuleSet',
        priority: 1,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name: 'AWSManagedRulesCommonRuleSet',
            // These two match URLs whose host is an IPv4 address, i.e. the loopback redirect
            // URIs native apps must use (RFC 8252 §7.3, http://127.0.0.1:port/…). Counted, not
            // blocked; redirect URIs are checked against the client's registered list anyway.
            ruleActionOverrides: ['GenericRFI_QUERYARGUMENTS', 'GenericRFI_BODY'].map((name) => ({
              name,
              actionToUse: { count: {} },
            })),
          },
        },
        visibilityConfig: visibility('portcullis-common-rule-set'),
      },
    ],
  });

  for (const { restApi } of apis) {
    new CfnWebACLAssociation(scope, `${restApi.node.id}WebAclAssociation`, {
      resourceArn: restApi.deploymentStage.stageArn,
      webAclArn: webAcl.attrArn,
    });
  }
  return webAcl;
}
