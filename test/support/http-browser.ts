import { request as httpRequest } from 'node:http';

/**
 * A browser over raw HTTP for the hosted-page tests: a cookie jar (name, path, Max-Age
 * deletion; every attribute kept for assertions) and requests that never follow redirects.
 * node:http rather than fetch, because fetch may not set `Host`, and the custom-domain tests
 * must send the proxy's Host.
 */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly setCookies: readonly string[];
  readonly body: string;
  /** The `Location` header, if any. */
  readonly location: string | undefined;
}

interface StoredCookie {
  readonly value: string;
  readonly path: string;
}

export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';').map((p) => p.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const maxAge = attrs.find((a) => /^max-age=/i.test(a))?.slice(8);
      if (maxAge !== undefined && Number(maxAge) <= 0) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }

  header(pathname: string): string {
    return [...this.cookies]
      .filter(([, c]) => pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  delete(name: string): void {
    this.cookies.delete(name);
  }
}

export interface SendOptions {
  readonly method?: 'GET' | 'POST';
  readonly form?: Record<string, string>;
  /** A raw body (sent as is, with whatever content-type `headers` give). */
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string>;
  readonly jar?: CookieJar;
}

/** One request to `baseUrl` + `path` (path and query of whatever URL is given). */
export function send(baseUrl: string, target: string, options: SendOptions = {}): Promise<HttpAnswer> {
  const url = new URL(target, baseUrl);
  const base = new URL(baseUrl);
  const body = options.form ? new URLSearchParams(options.form).toString() : options.body;
  const cookie = options.jar?.header(url.pathname);
  const headers: Record<string, string> = {
    ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    ...(cookie ? { cookie } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: base.hostname, port: base.port, path: `${url.pathname}${url.search}`, method: options.method ?? (body !== undefined ? 'POST' : 'GET'), headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const setCookies = res.headers['set-cookie'] ?? [];
          options.jar?.store(setCookies);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            setCookies,
            body: Buffer.concat(chunks).toString('utf8'),
            location: typeof res.headers.location === 'string' ? res.headers.location : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The value of a named input of a page (hidden `state`, `_csrf`…), HTML-unescaped. */
export function inputValue(html: string, name: string): string | undefined {
  for (const [tag] of html.matchAll(/<input\b[^>]*>/g)) {
    if (!tag.includes(`name="${name}"`)) continue;
    const value = /value="([^"]*)"/.exec(tag)?.[1];
    return value?.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  }
  return undefined;
}
