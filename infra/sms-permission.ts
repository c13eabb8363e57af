import { Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';

/**
 * Lets a function send SMS through Amazon SNS and nothing else: `sns:Publish` on everything
 * that is *not* an SNS ARN. A direct publish to a phone number (`PhoneNumber`, shared/sms/sns.ts)
 * has no resource ARN, so IAM evaluates it against `*`; a publish to a topic or a platform
 * endpoint names an `arn:<partition>:sns:…` resource and is left out, so a compromised function
 * cannot fan messages out through any topic in the account (AWS's documented pattern for
 * SMS-only publishing).
 */
export function grantSendSms(fn: IFunction): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'SendSmsToPhoneNumbersOnly',
      effect: Effect.ALLOW,
      actions: ['sns:Publish'],
      notResources: [`arn:${Stack.of(fn).partition}:sns:*:*:*`],
    }),
  );
}
