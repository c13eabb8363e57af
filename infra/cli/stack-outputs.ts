import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

/** A deployed stack's outputs by OutputKey (the CLI commands find tables and secrets this way). */
export async function stackOutputs(stackName: string, region?: string): Promise<Record<string, string>> {
  const cfn = new CloudFormationClient({ region });
  const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const stack = out.Stacks?.[0];
  if (!stack) throw new Error(`stack ${stackName} not found`);
  return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
}
