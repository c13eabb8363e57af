import { Fn } from 'aws-cdk-lib';
import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import type { CodeMacKey } from './code-mac-key.ts';
import type { Keyset } from './keyset.ts';
import { createPortcullisFunction } from './lambda-function.ts';
import { grantSendMail } from './mail-permission.ts';
import type { SecretsKey } from './secrets-key.ts';
import { grantSendSms } from './sms-permission.ts';
import type { DeployParameters } from './parameters.ts';
import { functionGroups, type FunctionGroup, type FunctionGroupName } from './routes.ts';
import type { Tables } from './storage.ts';
import { tables as tableDefinitions, type TableId } from './tables.ts';

export type EndpointFunctions = Readonly<Record<FunctionGroupName, NodejsFunction>>;

export interface EndpointFunctionsProps {
  readonly parameters: DeployParameters;
  readonly tables: Tables;
  readonly keyset: Keyset;
  readonly secretsKey: SecretsKey;
  readonly codeMacKey: CodeMacKey;
  readonly sharedLayer: ILayerVersion;
}

/** `token` → `TokenFunction`. */
export function functionId(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}Function`;
}

/**
 * One function per endpoint group of infra/routes.ts, each with its own role holding exactly
 * the DynamoDB actions its group lists (no Scan, no wildcards: `grantReadData` would add
 * Scan and stream reads, aws-notes §2.3), so e.g. discovery and userinfo can never write a
 * user; SES only for the groups that send email, only as the tenant's sender; SNS only for
 * those that send SMS, only to phone numbers; the secrets key only for those that seal or open
 * secrets, only for that; the code MAC key only for those that digest or verify one-time codes. Each function learns only the settings it may use.
 */
export function createEndpointFunctions(scope: Construct, props: EndpointFunctionsProps): EndpointFunctions {
  const environment = runtimeEnvironment(props);
  const entries = (Object.entries(functionGroups) as [FunctionGroupName, FunctionGroup][]).map(([name, group]) => {
    const fn = createPortcullisFunction(scope, functionId(name), {
      entry: group.entry,
      memoryMiB: group.memoryMiB,
      description: `Portcullis ${name}: ${group.description}`,
      sharedLayer: props.sharedLayer,
      environment: { ...environment, ...groupEnvironment(group, props) },
    });
    for (const [tableId, actions] of Object.entries(group.tables) as [TableId, readonly string[]][]) {
      if (actions.length > 0) props.tables[tableId].grant(fn, ...actions);
    }
    if (group.readsKeyset) props.keyset.grantRead(fn.role!);
    if (group.sendsMail) grantSendMail(fn, props.parameters);
    if (group.sendsSms) grantSendSms(fn);
    props.secretsKey.grant(fn.role!, group.secretsKey);
    if (group.digestsCodes) props.codeMacKey.grantRead(fn.role!);
    return [name, fn] as const;
  });
  return Object.fromEntries(entries) as Record<FunctionGroupName, NodejsFunction>;
}

/** What only some groups get: a function that may not mail, text or seal learns no sender or key. */
function groupEnvironment(group: FunctionGroup, { parameters, secretsKey, codeMacKey }: EndpointFunctionsProps): Record<string, string> {
  return {
    ...(group.sendsMail ? { SES_FROM_ADDRESS: parameters.senderEmail } : {}),
    // An empty SmsSenderId reads as none (shared/config.ts): SNS then sends without a sender ID.
    ...(group.sendsSms ? { SMS_TRANSPORT: 'sns', SMS_SENDER_ID: parameters.smsSenderId } : {}),
    ...(group.secretsKey.length > 0 ? { SECRETS_KMS_KEY_ID: secretsKey.keyArn } : {}),
    ...(group.digestsCodes ? { CODE_MAC_SECRET_ID: codeMacKey.secretArn } : {}),
  };
}

/** Exactly the variables shared/config.ts reads (plus LOG_LEVEL for shared/log.ts). */
function runtimeEnvironment({ parameters, tables, keyset }: EndpointFunctionsProps): Record<string, string> {
  const tableNames = Object.fromEntries(tableDefinitions.map((t) => [t.envVar, tables[t.id].tableName]));
  return {
    ISSUER: Fn.join('', ['https://', parameters.domainName, '/']),
    MTLS_BASE_URL: Fn.join('', ['https://', parameters.mtlsDomainName, '/']),
    ...tableNames,
    KEYSET_SECRET_ID: keyset.secretArn,
    CONFIG_CACHE_MS: parameters.configCacheMs,
    // Rotation reaches warm functions within this; next keys are published a whole rotation
    // period before they sign, so a late refresh never signs with an unpublished key (§3.3).
    KEYSET_CACHE_MS: '300000',
    LOG_LEVEL: parameters.logLevel,
  };
}
