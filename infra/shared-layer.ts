import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import type { Construct } from 'constructs';
import { lambdaEsbuildOptions } from './esbuild-options.ts';
import { projectRoot } from './project.ts';

/** The package name under which the layer exposes shared/ (see functions.ts for the mapping). */
export const sharedPackageName = '@portcullis/shared';

/** Where Lambda's Node.js runtimes look for a layer's packages: /opt/nodejs/node_modules. */
const packageDirInLayer = join('nodejs', 'node_modules', ...sharedPackageName.split('/'));

/**
 * The Lambda layer every function uses (DESIGN.md: "the functions share a Lambda layer holding
 * client authentication and token signing"). It holds shared/ as the ES-module package
 * `@portcullis/shared`: one `.mjs` per shared/ module (`@portcullis/shared/http/endpoint` is
 * shared/http/endpoint.ts) with jose, middy and the AWS SDK bundled in. Code splitting keeps
 * one instance of each module, so caches (config, keyset, tenant) are shared by every import.
 *
 * Built with esbuild's JS API through CDK local bundling: no Docker here or in CI
 * (aws-notes §2.3), so the Docker image is a placeholder that is never pulled.
 */
export function createSharedLayer(scope: Construct): LayerVersion {
  const sharedDir = join(projectRoot, 'shared');
  return new LayerVersion(scope, 'SharedLayer', {
    description: `Portcullis ${sharedPackageName}: client authentication, token signing, stores, HTTP glue`,
    compatibleRuntimes: [Runtime.NODEJS_24_X],
    compatibleArchitectures: [Architecture.ARM_64],
    code: Code.fromAsset(sharedDir, {
      // Hash the output: the layer also changes when a bundled dependency is upgraded.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        image: DockerImage.fromRegistry('none'),
        local: {
          tryBundle(outputDir: string): boolean {
            bundleShared(sharedDir, join(outputDir, packageDirInLayer));
            return true;
          },
        },
      },
    }),
  });
}

/** Bundles every shared/ module into `outDir` and writes the package.json that exposes them. */
export function bundleShared(sharedDir: string, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  buildSync({
    ...lambdaEsbuildOptions,
    entryPoints: sharedModules(sharedDir),
    outbase: sharedDir,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: '_chunks/[name]-[hash]',
    splitting: true,
  });
  const packageJson = { name: sharedPackageName, type: 'module', exports: { './*': './*.mjs' } };
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
}

function sharedModules(sharedDir: string): string[] {
  return readdirSync(sharedDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.test.ts'))
    .sort()
    .map((file) => join(sharedDir, file));
}
