import { CfnOutput } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { Api } from './api.ts';
import type { Keyset } from './keyset.ts';
import type { SecretsKey } from './secrets-key.ts';
import { tableStem, type Tables } from './storage.ts';
import type { TableId } from './tables.ts';

export interface OutputSources {
  readonly apis: readonly Api[];
  readonly tables: Tables;
  readonly keyset: Keyset;
  readonly secretsKey: SecretsKey;
  readonly keysFunction: IFunction;
}

/**
 * What an installer needs after `cdk deploy`: the DNS records to create for both custom
 * domains (an alias/CNAME to the regional target), and the names the CLIs look up
 * (tables for the tenant file, the keyset secret for keys:rotate, the secrets key). No execute-api URL:
 * those endpoints are disabled.
 */
export function createOutputs(scope: Construct, sources: OutputSources): void {
  for (const { name, domain } of sources.apis) {
    const stem = name === 'public' ? 'PublicDomain' : 'MtlsDomain';
    new CfnOutput(scope, `${stem}AliasTarget`, {
      description: `DNS: point ${name === 'public' ? 'DomainName' : 'MtlsDomainName'} here (CNAME, or Route 53 alias with the hosted zone below)`,
      value: domain.domainNameAliasDomainName,
    });
    new CfnOutput(scope, `${stem}AliasHostedZoneId`, {
      description: `DNS: hosted zone id of the ${name} domain's regional alias target`,
      value: domain.domainNameAliasHostedZoneId,
    });
  }
  for (const [id, table] of Object.entries(sources.tables) as [TableId, Tables[TableId]][]) {
    new CfnOutput(scope, `${tableStem(id)}TableName`, { description: `DynamoDB ${id} table`, value: table.tableName });
  }
  new CfnOutput(scope, 'KeysetSecretArn', {
    description: 'Secrets Manager secret holding the signing keyset (npm run keys:rotate -- --stack <name>)',
    value: sources.keyset.secretArn,
  });
  new CfnOutput(scope, 'SecretsKeyArn', {
    description: 'KMS key sealing TOTP seeds at rest (retained on stack deletion: deleting it loses every enrolled authenticator)',
    value: sources.secretsKey.keyArn,
  });
  new CfnOutput(scope, 'KeysFunctionName', {
    description: 'Lambda that initializes and rotates the keyset',
    value: sources.keysFunction.functionName,
  });
}
