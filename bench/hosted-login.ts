import { createHash, randomBytes } from 'node:crypto';
import { audience, benchUser, webApp } from './servers.ts';

/**
 * A login through the hosted pages over plain HTTP, as a browser without JavaScript does it
 * (the flow of test/e2e/hosted-pages.test.ts): /authorize → 302 /u/login?state=… → GET the
 * form (sets the `portcullis_txn` cookie the CSRF field is bound to) → POST `state`, `_csrf`,
 * `username`, `password` → 302 to the callback with a code, and the SSO session cookie. With
 * that cookie, every further /authorize (prompt=none) answers at once with a new code: that
 * is how the bench mints its pool of single-use codes.
 */
export interface CodeRequest {
  readonly code: string;
  readonly verifier: string;
}

/** Cookies by name; the bench talks to one origin, on paths under `/`. */
class Cookies {
  private readonly jar = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const maxAge = attributes.map((a) => a.trim()).find((a) => /^max-age=/i.test(a));
      if (maxAge && Number(maxAge.slice(8)) <= 0) this.jar.delete(pair!.slice(0, eq).trim());
      else this.jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** The scope of every bench login: an ID token with profile and email, and a refresh token. */
export const loginScope = 'openid profile email offline_access';

function authorizeQuery(prompt?: 'none'): { query: string; verifier: string; state: string } {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: webApp.clientId,
    redirect_uri: webApp.callback,
    scope: loginScope,
    audience,
    state,
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(prompt ? { prompt } : {}),
  });
  return { query: query.toString(), verifier, state };
}

const inputValue = (html: string, name: string) =>
  [...html.matchAll(/<input\b[^>]*>/g)].map(([tag]) => tag).find((tag) => tag.includes(`name="${name}"`))?.match(/value="([^"]*)"/)?.[1]
    ?.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** Where a redirect goes, as a path on `base` (the server names itself localhost; the bench uses 127.0.0.1). */
const pathOf = (location: string | null) => {
  if (!location) throw new Error('expected a redirect with a Location header');
  const url = new URL(location, 'http://relative.invalid');
  return `${url.pathname}${url.search}`;
};

function codeOf(response: Response, state: string, what: string): string {
  const location = response.headers.get('location');
  if (response.status !== 302 || !location?.startsWith(webApp.callback)) throw new Error(`${what}: expected a redirect to the callback, got ${response.status} ${location ?? ''}`);
  const url = new URL(location);
  const code = url.searchParams.get('code');
  if (!code || url.searchParams.get('state') !== state) throw new Error(`${what}: the callback has no code or the wrong state: ${url.search.replace(/code=[^&]+/, 'code=…')}`);
  return code;
}

export class HostedLogin {
  private readonly cookies = new Cookies();

  constructor(private readonly base: string) {}

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${this.base}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.cookies.header() },
      signal: AbortSignal.timeout(15_000),
    });
    this.cookies.store(response);
    return response;
  }

  /** The first login, through the form; returns its code (the session cookie is kept). */
  async logIn(): Promise<CodeRequest> {
    const { query, verifier, state } = authorizeQuery();
    const started = await this.request(`/authorize?${query}`);
    await started.body?.cancel();
    const loginPath = pathOf(started.headers.get('location'));
    if (started.status !== 302 || !loginPath.startsWith('/u/login')) throw new Error(`/authorize: expected a redirect to /u/login, got ${started.status} ${loginPath}`);
    const page = await this.request(loginPath);
    const html = await page.text();
    if (page.status !== 200) throw new Error(`GET /u/login answered ${page.status}`);
    const form = { state: inputValue(html, 'state') ?? '', _csrf: inputValue(html, '_csrf') ?? '', username: benchUser.email, password: benchUser.password };
    const posted = await this.request(loginPath, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    if (posted.status !== 302) throw new Error(`POST /u/login answered ${posted.status}: ${(await posted.text()).replace(/\s+/g, ' ').slice(0, 400)}`);
    await posted.body?.cancel();
    return { code: codeOf(posted, state, 'POST /u/login'), verifier };
  }

  /** One more code from the SSO session (prompt=none: no page, straight to the callback). */
  async code(): Promise<CodeRequest> {
    const { query, verifier, state } = authorizeQuery('none');
    const response = await this.request(`/authorize?${query}`);
    await response.body?.cancel();
    return { code: codeOf(response, state, '/authorize prompt=none'), verifier };
  }

  /** `count` codes, `concurrency` /authorize requests at a time. */
  async codes(count: number, concurrency: number): Promise<CodeRequest[]> {
    const out: CodeRequest[] = new Array(count);
    let next = 0;
    const worker = async () => {
      // Each slot is taken before the request, so the codes stay in minting order (oldest first).
      for (let slot = next++; slot < count; slot = next++) out[slot] = await this.code();
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return out;
  }
}

/** The token request that redeems one code (confidential client, PKCE, the registered callback). */
export function codeExchangeBody({ code, verifier }: CodeRequest): string {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: webApp.clientId,
    client_secret: webApp.clientSecret,
    code,
    code_verifier: verifier,
    redirect_uri: webApp.callback,
  }).toString();
}
