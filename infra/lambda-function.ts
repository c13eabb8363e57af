import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing, type ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { requireBanner } from './esbuild-options.ts';
import { lockFile, projectRoot } from './project.ts';
import { sharedPackageName } from './shared-layer.ts';

export interface PortcullisFunctionProps {
  /** Handler module relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly memoryMiB: number;
  readonly description: string;
  readonly sharedLayer: ILayerVersion;
  readonly environment: Record<string, string>;
}

/**
 * The package.json written beside each bundle: only marks it an ES module. Functions import
 * shared code as `#shared/…` (package.json "imports"); esbuild rewrites those to the layer's
 * bare package `@portcullis/shared/…` and leaves them external. Lambda's Node.js ≥ 18 runtimes
 * resolve bare ES-module specifiers from /opt/nodejs/node_modules (they search NODE_PATH for
 * ES modules), which is the documented way to import from a layer; a subpath-imports mapping
 * to the layer would depend on an undocumented detail of that resolver.
 */
export const functionPackageJson = { type: 'module' };

/**
 * One Lambda function the Portcullis way: nodejs24.x on arm64 (DESIGN.md), ESM bundle with
 * the shared layer, JSON logs into an explicit log group with retention (the `logRetention`
 * prop is deprecated and spawns a custom resource, aws-notes §7), active tracing.
 */
export function createPortcullisFunction(scope: Construct, id: string, props: PortcullisFunctionProps): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.THREE_MONTHS });
  return new NodejsFunction(scope, id, {
    entry: join(projectRoot, props.entry),
    handler: 'handler',
    description: props.description,
    // Pinned, not NODEJS_LATEST: a moving target that also changes SDK externals (aws-notes §2.2).
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memoryMiB,
    timeout: Duration.seconds(10),
    loggingFormat: LoggingFormat.JSON,
    logGroup,
    tracing: Tracing.ACTIVE,
    layers: [props.sharedLayer],
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    projectRoot,
    depsLockFilePath: lockFile,
    bundling: {
      format: OutputFormat.ESM,
      target: 'node24',
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      mainFields: ['module', 'main'],
      logLevel: LogLevel.WARNING,
      banner: requireBanner,
      // Shared code lives in the layer; npm packages a function imports itself are bundled,
      // the AWS SDK included, so the tested SDK version is the deployed one (aws-notes §2.2).
      esbuildArgs: { '--alias:#shared': sharedPackageName },
      externalModules: [`${sharedPackageName}/*`],
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (_inputDir: string, outputDir: string) => [
          `echo '${JSON.stringify(functionPackageJson)}' > "${outputDir}/package.json"`,
        ],
      },
    },
  });
}
