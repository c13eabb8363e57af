import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { DeployParameters } from './parameters.ts';

/**
 * Lets a function send email as the tenant's sender and as no one else: `ses:SendEmail`
 * (the SES v2 API shared/mail/ses.ts calls; its simple and raw content both authorize as
 * SendEmail) on the two identities that can verify SenderEmail, the address and its domain
 * (SES checks the identity that verified the From address), with `ses:FromAddress` pinned to
 * SenderEmail so that even a domain identity only ever sends from that one address.
 */
export function grantSendMail(fn: IFunction, parameters: DeployParameters): void {
  const stack = Stack.of(fn);
  const identity = (name: string) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'SendMailAsTheTenantSender',
      actions: ['ses:SendEmail'],
      resources: [identity(parameters.senderEmail), identity(parameters.senderDomain)],
      conditions: { StringEquals: { 'ses:FromAddress': parameters.senderEmail } },
    }),
  );
}
