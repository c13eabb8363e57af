import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccountRootPrincipal, Effect, PolicyDocument, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * The customer-managed KMS key that seals secrets at rest (TOTP seeds, shared/crypto/secret-box.ts).
 *
 * Its key policy is the whole authority over it: the account (that is, IAM principals the
 * account allows) may administer the key but neither use it nor grant its use, and only the
 * functions infra/routes.ts lists under `secretsKey` may use it, each for what it lists
 * (`encrypt` → kms:Encrypt, `decrypt` → kms:Decrypt). No statement allows kms:*, a data-key or
 * a re-encrypt action, so no administrator, role or grant elsewhere in the account can open a
 * seed without first changing this policy. Every use must bind an
 * encryption context (the seed's owner, checked again at Decrypt), so a sealed seed copied to
 * another user does not open. Yearly automatic rotation; RETAIN, because deleting the key
 * destroys every enrolled authenticator.
 */
export type SecretsKeyUse = 'encrypt' | 'decrypt';

const actionOf: Record<SecretsKeyUse, string> = { encrypt: 'kms:Encrypt', decrypt: 'kms:Decrypt' };

/**
 * Key administration without use, spelled out (no `kms:Create*`, which would include
 * kms:CreateGrant, a silent way to hand oneself Decrypt): enough to change this policy,
 * rotate, tag, disable and schedule deletion, so the key never becomes unmanageable (KMS
 * refuses a policy that locks the account out anyway). Using the key therefore takes a
 * PutKeyPolicy, a visible change in CloudTrail, never a quiet IAM grant or KMS grant.
 */
export const keyAdminActions = [
  'kms:CancelKeyDeletion',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateKeyDescription',
] as const;

/** Encrypt and Decrypt only with an encryption context (secret-box.ts always binds one). */
export const requireEncryptionContext = { Null: { 'kms:EncryptionContextKeys': 'false' } } as const;

export class SecretsKey {
  readonly key: Key;

  constructor(scope: Construct, id: string) {
    const policy = new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'AccountAdministersTheKeyButCannotUseIt',
          principals: [new AccountRootPrincipal()],
          actions: [...keyAdminActions],
          resources: ['*'],
        }),
      ],
    });
    this.key = new Key(scope, id, {
      description: `Portcullis ${Stack.of(scope).stackName}: seals TOTP seeds and other secrets at rest`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      policy,
    });
  }

  /** Lets one function's role do `uses` with the key: in the key policy and in the role's own policy. */
  grant(role: IRole, uses: readonly SecretsKeyUse[]): void {
    if (uses.length === 0) return;
    const actions = uses.map((u) => actionOf[u]);
    this.key.addToResourcePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, principals: [role], actions, resources: ['*'], conditions: requireEncryptionContext }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'UseTheSecretsKey', effect: Effect.ALLOW, actions, resources: [this.key.keyArn], conditions: requireEncryptionContext }),
    );
  }

  get keyArn(): string {
    return this.key.keyArn;
  }
}
