import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccountRootPrincipal, PolicyDocument, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Key administration only: no Encrypt/Decrypt/GenerateDataKey for the account at large. */
const keyAdministration = [
  'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*',
  'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:TagResource',
  'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion',
];

/**
 * The signing keyset: one Secrets Manager secret holding the keyset document
 * (shared/tokens/keyset-document.ts), encrypted with its own customer-managed KMS key.
 *
 * Inside this stack the key's use is granted only to the roles that read the keyset (token,
 * discovery) and to the keys function, which alone may also write it (aws-notes §3.1). The key
 * policy gives the account root key administration, and cryptographic use only through Secrets
 * Manager in this account: that delegation is what lets an operator with the IAM rights run
 * `npm run keys:rotate -- --stack …` with their own credentials; nothing can decrypt the key
 * outside Secrets Manager.
 *
 * The secret is created empty (CloudFormation accepts a secret with neither SecretString nor
 * GenerateSecretString), so the deployment never writes a throw-away value; the keys function
 * writes the first keyset. L1 on purpose: the L2 `Secret` always generates an initial value,
 * and adds its own key-policy statement (encrypt, re-encrypt and CreateGrant for the whole
 * account), broader than the statements below.
 */
export class Keyset extends Construct {
  readonly key: Key;
  readonly secretArn: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const root = new AccountRootPrincipal();
    this.key = new Key(this, 'Key', {
      description: 'Portcullis: encrypts the signing keyset secret',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.DESTROY,
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({ sid: 'KeyAdministration', principals: [root], actions: keyAdministration, resources: ['*'] }),
          new PolicyStatement({
            sid: 'UseOnlyThroughSecretsManager',
            principals: [root],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: ['*'],
            conditions: { StringEquals: { ...viaSecretsManager(), 'kms:CallerAccount': Aws.ACCOUNT_ID } },
          }),
        ],
      }),
    });
    const secret = new CfnSecret(this, 'Secret', {
      description: 'Portcullis signing keyset (private JWKs). Written only by the keys function and keys:rotate.',
      kmsKeyId: this.key.keyArn,
    });
    secret.applyRemovalPolicy(RemovalPolicy.DESTROY);
    this.secretArn = secret.ref;
  }

  /** GetSecretValue on this secret and Decrypt through Secrets Manager: token, discovery. */
  grantRead(role: IRole): void {
    this.grant(role, ['secretsmanager:GetSecretValue'], ['kms:Decrypt']);
  }

  /** Read, plus PutSecretValue and GenerateDataKey: the keys function only. */
  grantReadWrite(role: IRole): void {
    this.grant(role, ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], ['kms:Decrypt', 'kms:GenerateDataKey']);
  }

  private grant(role: IRole, secretActions: string[], keyActions: string[]): void {
    role.addToPrincipalPolicy(new PolicyStatement({ actions: secretActions, resources: [this.secretArn] }));
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: keyActions, resources: [this.key.keyArn], conditions: { StringEquals: viaSecretsManager() } }),
    );
  }
}

function viaSecretsManager(): Record<string, string> {
  return { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` };
}
