import { invalidScope } from '../errors.ts';

/** A `scope` parameter as a list without repeats; undefined when absent (RFC 6749 §3.3). */
export function requestedScopes(scope: string | undefined): string[] | undefined {
  if (scope === undefined) return undefined;
  if (scope.length > 4096) throw invalidScope('scope is too long');
  const scopes = [...new Set(scope.split(' ').filter((s) => s !== ''))];
  // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
  if (scopes.some((s) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))) throw invalidScope('scope contains invalid characters');
  return scopes.length > 0 ? scopes : undefined;
}
