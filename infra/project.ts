import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: entries in infra/routes.ts and the lock file are relative to it. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const lockFile = join(projectRoot, 'package-lock.json');
