import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PortcullisStack } from '#infra/stack';

/** A synthesized resource as it appears in the template. */
export interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, any>;
  readonly Metadata?: Record<string, unknown>;
  readonly DependsOn?: string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface Synthesized {
  readonly template: Template;
  readonly json: { Resources: Record<string, Resource>; Outputs: Record<string, any>; Parameters: Record<string, any>; Conditions: Record<string, any> };
  /** The cloud assembly directory; bundled assets are its `asset.<hash>` folders. */
  readonly outdir: string;
}

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };

let synthesized: Synthesized | undefined;
let cloudFormationValidation = false;

/**
 * CDK's built-in CloudFormation schema validation (the `validation-report.json` of the
 * assembly) costs ~2 s of wasm per synthesis. One test file turns it on before synthesizing;
 * the others skip it. `cdk synth` always runs it.
 */
export function enableCloudFormationValidation(): void {
  if (synthesized) throw new Error('enableCloudFormationValidation() must run before the first synth()');
  cloudFormationValidation = true;
}

/**
 * The stack, synthesized once per test process: adding constructs after synthesis throws
 * ConstructTreeModifiedAfterSynth, and synthesis with bundling is the slow part (aws-notes §2.3).
 */
export function synth(): Synthesized {
  if (!synthesized) {
    // The feature flags of cdk.json, as `cdk synth` and `cdk deploy` apply them: tests assert the template that deploys.
    const app = new App({ builtinCloudFormationValidation: cloudFormationValidation, context: cdkJson.context });
    const stack = new PortcullisStack(app, 'Portcullis-test');
    const template = Template.fromStack(stack);
    synthesized = { template, json: template.toJSON() as Synthesized['json'], outdir: app.outdir };
  }
  return synthesized;
}

export function resourcesOfType(type: string): [string, Resource][] {
  return Object.entries(synth().json.Resources).filter(([, r]) => r.Type === type);
}

/** The one resource whose logical id starts with `prefix` (CDK appends a hash). */
export function logicalIdOf(prefix: string, type: string): string {
  const matches = resourcesOfType(type).filter(([id]) => id.startsWith(prefix));
  if (matches.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${matches.length}`);
  return matches[0]![0];
}

/** The statements of every IAM policy attached to the role `roleId`. */
export function statementsOfRole(roleId: string): Array<Record<string, any>> {
  return resourcesOfType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
}

export function actionsOf(statement: Record<string, any>): string[] {
  return ([] as string[]).concat(statement.Action);
}
