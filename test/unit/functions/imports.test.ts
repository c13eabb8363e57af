import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { functionGroups } from '../../../infra/routes.ts';

/**
 * Endpoint functions import packages only through the shared layer (`#shared/*`): a package
 * imported directly is bundled into the function itself — /authorize once carried its own
 * 360 KiB copy of the DynamoDB document client, paid on every cold start. Node's built-ins,
 * the function's own files, and the keys function (not an endpoint group, no layer) are fine.
 */
const root = new URL('../../../', import.meta.url).pathname;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : Promise.resolve(e.name.endsWith('.ts') ? [join(dir, e.name)] : []))));
  return nested.flat();
}

test('endpoint functions import packages only through #shared (the layer), never directly', async () => {
  const folders = Object.values(functionGroups).map((g) => join(root, g.entry, '..'));
  const offenders: string[] = [];
  for (const folder of folders) {
    for (const file of await sourceFiles(folder)) {
      const source = await readFile(file, 'utf8');
      for (const [, specifier] of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const ok = specifier!.startsWith('#shared/') || specifier!.startsWith('node:') || specifier!.startsWith('./') || specifier!.startsWith('../');
        if (!ok) offenders.push(`${relative(root, file)}: ${specifier}`);
        if (specifier!.startsWith('../') && !join(file, '..', specifier!).startsWith(folder)) offenders.push(`${relative(root, file)}: ${specifier} (outside its function)`);
      }
    }
  }
  assert.deepEqual(offenders, []);
  assert.ok(folders.length >= 6, 'every endpoint group is checked');
});
