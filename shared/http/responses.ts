import type { ApiResult } from './types.ts';

/** RFC 6749 §5.1: token responses must not be cached. */
export const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

export function text(statusCode: number, body: string, headers: Record<string, string> = {}): ApiResult {
  return { statusCode, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers }, body };
}
