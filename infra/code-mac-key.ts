import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The code MAC key: the key of the keyed digests of one-time codes (passwordless codes, MFA
 * OOB binding codes; shared/crypto/code-digest.ts derives the HMAC key from it with HKDF).
 * Its own secret, so the functions that only digest codes (POST /passwordless/start) need not
 * read the signing keyset.
 *
 * CloudFormation generates the value at creation — 64 characters of [A-Za-z0-9], about 380
 * bits — so it never passes through a template, a parameter or an operator's terminal.
 *
 * Encrypted with the account's default Secrets Manager key (aws/secretsmanager), on purpose:
 * its key policy lets any principal of the account decrypt through Secrets Manager, so who
 * reads the secret is decided by secretsmanager:GetSecretValue alone — granted below to the
 * roles infra/routes.ts marks `digestsCodes` and to nothing else. A customer-managed key
 * delegating to IAM the same way (as the keyset's does) would add a monthly cost and a second
 * set of grants without narrowing who can read. The stakes are bounded too: the key alone
 * reveals no code; with a copy of the codes table it would let one brute-force codes that
 * live minutes.
 *
 * RETAIN, with the stack and on replacement: a replaced key silently fails every code in
 * flight, and deleting a secret by accident should not be one `cdk destroy` away. Not
 * rotated automatically (a rotation would do the same to codes in flight). Warm functions keep
 * the key they read at their cold start (shared/crypto/code-digest.ts), so rotating by hand
 * is two steps: put a new random value, then update the configuration of the four functions
 * that read it (any change makes Lambda start fresh instances) — until then an instance that
 * read the new key and one that kept the old one refuse each other's codes. It costs the codes
 * sent around the change, which live minutes.
 */
export class CodeMacKey extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: `Portcullis ${Stack.of(scope).stackName}: MAC key of one-time code digests (passwordless codes, MFA binding codes)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** GetSecretValue on this secret only (not Secret.grantRead, which adds DescribeSecret). */
  grantRead(role: IRole): void {
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'ReadTheCodeMacKey', actions: ['secretsmanager:GetSecretValue'], resources: [this.secret.secretArn] }));
  }

  get secretArn(): string {
    return this.secret.secretArn;
  }
}
