import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { InvalidTenantFile } from './plan.ts';

/** Reads a tenant file (YAML, so JSON too); a syntax error is reported like any other problem. */
export async function readTenantFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidTenantFile([`cannot read ${path}: ${(error as Error).message}`]);
  }
  try {
    return parse(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    throw new InvalidTenantFile([`${path} is not valid YAML: ${(error as Error).message}`]);
  }
}
