import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { createAlarms } from './alarms.ts';
import { createApis } from './api.ts';
import { CodeMacKey } from './code-mac-key.ts';
import { createEndpointFunctions, functionId } from './functions.ts';
import { KeyRotation } from './key-rotation.ts';
import { Keyset } from './keyset.ts';
import { createOutputs } from './outputs.ts';
import { defineParameters } from './parameters.ts';
import { SecretsKey } from './secrets-key.ts';
import { createSharedLayer } from './shared-layer.ts';
import { createTables } from './storage.ts';
import { createWaf } from './waf.ts';

/** One Portcullis tenant. Composition only: each step lives in its own module. */
export class PortcullisStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const parameters = defineParameters(this);
    const tables = createTables(this);
    const keyset = new Keyset(this, 'Keyset');
    const secretsKey = new SecretsKey(this, 'SecretsKey');
    const codeMacKey = new CodeMacKey(this, 'CodeMacKey');

    const sharedLayer = createSharedLayer(this);
    const keyRotation = new KeyRotation(this, 'KeyRotation', { keyset, sharedLayer, parameters });
    const functions = createEndpointFunctions(this, { parameters, tables, keyset, secretsKey, codeMacKey, sharedLayer });
    // No endpoint function exists before the secret holds a keyset to sign with.
    for (const fn of Object.values(functions)) fn.node.addDependency(keyRotation.initialization);

    const apis = createApis(this, parameters, functions);
    createWaf(this, parameters, apis);

    const allFunctions = { ...functions, keys: keyRotation.keysFunction };
    createAlarms(this, parameters, {
      apis,
      functions: Object.fromEntries(Object.entries(allFunctions).map(([name, fn]) => [functionId(name), fn])),
      tables,
    });
    createOutputs(this, { apis, tables, keyset, secretsKey, keysFunction: keyRotation.keysFunction });
  }
}
