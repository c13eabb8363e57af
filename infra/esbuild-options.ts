import type { BuildOptions } from 'esbuild';

/**
 * The esbuild settings every Lambda artefact is built with (the layer here, the functions
 * through NodejsFunction, and bench/ when it measures them): ESM for Node 24, minified, source
 * maps without sources (aws-notes §2.2).
 */
// CommonJS dependencies that call require() need it inside an ES module (aws-notes §2.2).
export const requireBanner = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export const lambdaEsbuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  banner: { js: requireBanner },
  logLevel: 'warning',
} as const satisfies BuildOptions;
