import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Raw HTTP(S) for end-to-end tests, on node:http rather than fetch: fetch forbids setting
 * `Host` (needed to reach a custom domain) and cannot present a client certificate (needed
 * for the mTLS listener). Every request has a deadline, so a hang fails the test instead of
 * stalling it.
 */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface TlsMaterial {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface RawRequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
  /** For https URLs: the CA to trust and, for mTLS, the client certificate and key. */
  readonly tls?: TlsMaterial;
  readonly timeoutMs?: number;
}

export function rawRequest(url: string | URL, options: RawRequestOptions = {}): Promise<RawResponse> {
  const target = new URL(url);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const common = {
      method: options.method ?? 'GET',
      hostname: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      headers: options.headers ?? {},
      // A fresh connection per request: no TLS session reuse, no keep-alive surprises.
      agent: false as const,
    };
    const req =
      target.protocol === 'https:'
        ? httpsRequest({ ...common, ca: options.tls?.ca, cert: options.tls?.cert, key: options.tls?.key, servername: target.hostname === '127.0.0.1' ? undefined : target.hostname })
        : httpRequest(common);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms: ${common.method} ${target.pathname}`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.end(options.body);
  });
}

/** The body as JSON, or a failure naming what came instead. */
export function jsonOf<T = Record<string, unknown>>(res: RawResponse): T {
  try {
    return JSON.parse(res.body) as T;
  } catch {
    throw new Error(`expected a JSON body, got ${res.status}: ${res.body.slice(0, 200)}`);
  }
}

export const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
export const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * A WHATWG `fetch` that sends every request over node:https with the given TLS material,
 * optionally to another origin — the transport an SDK's `fetch` option lets a caller choose
 * (a proxy, a client certificate). The SDK still builds the URL, headers and body itself.
 */
export function tlsFetch(tls: TlsMaterial, rewrite: (url: URL) => URL = (u) => u): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const request = input instanceof Request ? input : undefined;
    const url = rewrite(new URL(request ? request.url : String(input)));
    const headers: Record<string, string> = {};
    new Headers(init.headers ?? request?.headers).forEach((v, k) => (headers[k] = v));
    const body = init.body ?? (request ? await request.arrayBuffer() : undefined);
    const bytes = await new Response(body as ConstructorParameters<typeof Response>[0]).arrayBuffer();
    const res = await rawRequest(url, { method: init.method ?? request?.method ?? 'GET', headers, body: Buffer.from(bytes), tls });
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
    return new Response(res.body, { status: res.status, headers: out });
  }) as typeof fetch;
}
