import type { KeysetDocument, KeyStatus } from '#shared/tokens/keyset-document';

export interface KeySummary {
  readonly kid: string;
  readonly alg: string;
  readonly status: KeyStatus;
  readonly createdAt: string;
}

/** What may be logged or printed about a keyset: identifiers and statuses, never key material. */
export function summarizeKeyset(doc: KeysetDocument): KeySummary[] {
  return doc.keys.map(({ kid, alg, status, createdAt }) => ({ kid, alg, status, createdAt }));
}
