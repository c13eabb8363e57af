import type { KeysetDocument } from '#shared/tokens/keyset-document';

const dayMs = 86_400_000;

/**
 * Whether a scheduled rotation should run: not when the newest key is younger than half a
 * rotation period. Two steps in quick succession (a retried event, a manual `keys:rotate`
 * just before the schedule) would promote a `next` key before relying parties have fetched
 * it from the JWKS (aws-notes §3.3), so the schedule only ever moves a settled keyset.
 */
export function rotationDue(doc: KeysetDocument | undefined, rotationDays: number, now = new Date()): boolean {
  if (!doc || !(rotationDays > 0)) return true;
  const created = doc.keys.map((key) => Date.parse(key.createdAt)).filter(Number.isFinite);
  if (created.length === 0) return true;
  return now.getTime() - Math.max(...created) >= (rotationDays * dayMs) / 2;
}
