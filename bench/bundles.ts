import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { functionGroups } from '../infra/routes.ts';
import { runToEnd } from './processes.ts';
import { lambdaEsbuildOptions } from '../infra/esbuild-options.ts';

/**
 * Per function group of infra/routes.ts: the size of its Lambda bundle, built with the CDK
 * stack's esbuild settings (aws-notes §2.2, infra/lambda-function.ts: ESM, minified, platform
 * node, target node24, createRequire banner, SDK bundled), and how long a fresh Node process
 * takes to import the self-contained bundle (the module-loading part of a cold start).
 *
 * Two sizes, since the CDK puts shared/ in a layer: the function's own bundle (`#shared/*`
 * external) and the self-contained one (everything a cold start has to load).
 */
export interface BundleFigures {
  readonly group: string;
  readonly functionBytes: number;
  readonly fullBytes: number;
  /** Median over `runs` fresh processes of the `import()` of the full bundle, in ms. */
  readonly coldImportMs: number;
  readonly coldImportRuns: readonly number[];
}

const root = new URL('../', import.meta.url).pathname;

async function bundle(entry: string, outfile: string, external: string[]): Promise<number> {
  await build({ ...lambdaEsbuildOptions, entryPoints: [join(root, entry)], outfile, external });
  return (await stat(outfile)).size;
}

/** Imports `file` in a fresh process and reports how long the import took, in ms. */
const importProbe =
  "const t0 = performance.now(); await import(process.env.BENCH_IMPORT_URL); process.stdout.write(String(performance.now() - t0));";

async function coldImport(file: string): Promise<number> {
  const out = await runToEnd(process.execPath, ['--input-type=module', '-e', importProbe], 60_000, {
    ...process.env,
    BENCH_IMPORT_URL: pathToFileURL(file).href,
  });
  return Number(out.trim());
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export async function measureBundles(runs = 5): Promise<BundleFigures[]> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bundles-'));
  try {
    const figures: BundleFigures[] = [];
    for (const [group, { entry }] of Object.entries(functionGroups)) {
      const functionBytes = await bundle(entry, join(dir, group, 'function', 'index.mjs'), ['#shared/*']);
      const fullFile = join(dir, group, 'full', 'index.mjs');
      const fullBytes = await bundle(entry, fullFile, []);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await coldImport(fullFile));
      figures.push({ group, functionBytes, fullBytes, coldImportMs: median(times), coldImportRuns: times });
    }
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
