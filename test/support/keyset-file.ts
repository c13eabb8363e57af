import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalKeyset } from '../../infra/keys/local-keyset.ts';
import { resetRuntimeConfig } from '../../shared/config.ts';
import { invalidateKeyset } from '../../shared/tokens/keyset.ts';
import type { KeysetDocument } from '../../shared/tokens/keyset-document.ts';

/**
 * For unit tests that sign: a fresh local keyset file (as `npm start` makes one) and the
 * environment shared/config.ts needs to find it. No table is touched, so the table names
 * are placeholders.
 */
export async function useKeysetFile(issuer = 'https://auth.example.test/'): Promise<{ path: string; doc: KeysetDocument }> {
  const path = join(await mkdtemp(join(tmpdir(), 'portcullis-keyset-')), 'keyset.json');
  const doc = await ensureLocalKeyset(path);
  Object.assign(process.env, {
    ISSUER: issuer,
    KEYSET_FILE: path,
    TABLE_CLIENTS: 'unused-clients',
    TABLE_USERS: 'unused-users',
    TABLE_CODES: 'unused-codes',
    TABLE_RATE_LIMITS: 'unused-rate-limits',
    TABLE_SESSIONS: 'unused-sessions',
    TABLE_REFRESH_TOKENS: 'unused-refresh-tokens',
    TABLE_AUTHENTICATORS: 'unused-authenticators',
  });
  delete process.env.KEYSET_SECRET_ID;
  resetRuntimeConfig();
  invalidateKeyset();
  return { path, doc };
}
