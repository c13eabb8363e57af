import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { functionGroups, type FunctionGroup } from '../../../infra/routes.ts';

/**
 * infra/routes.ts grants each function the secrets it says it reads (`readsKeyset`,
 * `digestsCodes`); this holds those flags to the code. A function whose modules reach the
 * keyset reader without the grant fails on AWS at its first request; one with the grant but
 * no such module holds a permission it does not use (POST /passwordless/start once could read
 * the signing keys only to digest codes). Follows static and dynamic imports of project files.
 */
const root = new URL('../../../', import.meta.url).pathname;
const keysetModule = join(root, 'shared/tokens/keyset.ts');
const codeDigestModule = join(root, 'shared/crypto/code-digest.ts');

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      let target: string;
      if (specifier!.startsWith('#shared/')) target = join(root, 'shared', `${specifier!.slice('#shared/'.length)}.ts`);
      else if (specifier!.startsWith('.')) target = join(dirname(file), specifier!);
      else continue;
      if (!target.endsWith('.ts')) target += '.ts';
      if (existsSync(target)) visit(target);
    }
  };
  visit(join(root, entry));
  return seen;
}

test('a function reads the signing keyset exactly when its code can reach the keyset reader', () => {
  for (const [name, group] of Object.entries(functionGroups) as [string, FunctionGroup][]) {
    assert.equal(reachable(group.entry).has(keysetModule), group.readsKeyset, `${name}: readsKeyset ${group.readsKeyset}`);
  }
});

test('a function reads the code MAC key exactly when its code can reach shared/crypto/code-digest.ts', () => {
  for (const [name, group] of Object.entries(functionGroups) as [string, FunctionGroup][]) {
    assert.equal(reachable(group.entry).has(codeDigestModule), group.digestsCodes, `${name}: digestsCodes ${group.digestsCodes}`);
  }
});

test('the import walk finds what it should (the walk itself works)', () => {
  const token = reachable(functionGroups.token.entry);
  assert.ok(token.has(keysetModule) && token.has(codeDigestModule), [...token].map((f) => relative(root, f)).join(', '));
  // POST /passwordless/start digests codes without the keyset.
  assert.ok(reachable(functionGroups.passwordless.entry).has(codeDigestModule));
});
