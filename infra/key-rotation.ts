import { CustomResource, Token } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { CfnFunction, type ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Keyset } from './keyset.ts';
import { createPortcullisFunction } from './lambda-function.ts';
import type { DeployParameters } from './parameters.ts';

export interface KeyRotationProps {
  readonly keyset: Keyset;
  readonly sharedLayer: ILayerVersion;
  readonly parameters: DeployParameters;
}

/**
 * The keys function and what drives it: a custom resource that writes the first keyset
 * during deployment (before any endpoint function exists, see `initialization`), and an
 * EventBridge schedule that rotates it every KeyRotationDays (aws-notes §3.3).
 */
export class KeyRotation extends Construct {
  readonly keysFunction: NodejsFunction;
  /** Depend on this to run after the secret holds a keyset. */
  readonly initialization: CustomResource;

  constructor(scope: Construct, id: string, props: KeyRotationProps) {
    super(scope, id);
    this.keysFunction = createPortcullisFunction(scope, 'KeysFunction', {
      entry: 'functions/keys/handler.ts',
      memoryMiB: 512,
      description: 'Portcullis keys: initializes and rotates the signing keyset',
      sharedLayer: props.sharedLayer,
      environment: {
        KEYSET_SECRET_ID: props.keyset.secretArn,
        KEY_ROTATION_DAYS: Token.asString(props.parameters.keyRotationDays),
        LOG_LEVEL: props.parameters.logLevel,
      },
    });
    props.keyset.grantReadWrite(this.keysFunction.role!);
    // Never retry a failed rotation by itself: a second step in a row would promote a key
    // that relying parties have not fetched yet. The next schedule (or keys:rotate) retries.
    this.keysFunction.configureAsyncInvoke({ retryAttempts: 0 });

    const provider = new Provider(this, 'Provider', {
      onEventHandler: this.keysFunction,
      logGroup: new LogGroup(this, 'ProviderLogs', { retention: RetentionDays.THREE_MONTHS }),
    });
    // The framework's own function is plain JavaScript: arm64 like every other function.
    const framework = provider.node.tryFindChild('framework-onEvent')?.node.defaultChild;
    if (framework instanceof CfnFunction) framework.addPropertyOverride('Architectures', ['arm64']);
    this.initialization = new CustomResource(this, 'Initialization', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::PortcullisKeyset',
      properties: { SecretArn: props.keyset.secretArn },
    });

    new Rule(this, 'Schedule', {
      description: 'Portcullis: rotate the signing keyset (next → current → previous)',
      schedule: Schedule.expression(props.parameters.keyRotationSchedule),
      targets: [new LambdaFunction(this.keysFunction, { event: RuleTargetInput.fromObject({ action: 'rotate' }) })],
    });
  }
}
