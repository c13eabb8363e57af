import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  initialKeyset,
  parseKeysetDocument,
  rotateKeyset,
  type KeysetDocument,
} from '../../shared/tokens/keyset-document.ts';

/**
 * The local keyset: one JSON file (`<data dir>/keyset.json`, mode 0600) holding what
 * Secrets Manager holds on AWS. Written atomically (temp file + rename) so a server reading it
 * mid-rotation never sees half a document.
 */
export async function ensureLocalKeyset(path: string): Promise<KeysetDocument> {
  try {
    return parseKeysetDocument(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const doc = await initialKeyset();
  await writeKeyset(path, doc);
  return doc;
}

export async function rotateLocalKeyset(path: string): Promise<KeysetDocument> {
  const doc = await rotateKeyset(await ensureLocalKeyset(path));
  await writeKeyset(path, doc);
  return doc;
}

async function writeKeyset(path: string, doc: KeysetDocument): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(doc, null, 2), { mode: 0o600 });
  await rename(tmp, path);
}
