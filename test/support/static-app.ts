import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { freePort } from '../../infra/local/free-port.ts';

/**
 * A tiny web server on 127.0.0.1 playing the relying party's side in the browser tests:
 *  - `/spa` — a single-page app on auth0-spa-js (the SDK's own UMD build, served from
 *    node_modules), exposing `window.app` for the tests to drive;
 *  - `/frame?src=<url>` — a page that tries to frame `src` (clickjacking check);
 *  - `/form` — a labelled password form, the positive control for framing;
 *  - `/js-probe` — a page whose title says whether page scripts run;
 *  - any other GET — a plain page (callbacks, post-logout pages); any POST echoes its body.
 *
 * Browsers treat http://127.0.0.1 and http://localhost as secure contexts, so crypto.subtle
 * (which auth0-spa-js needs for PKCE) works without TLS. The app's origin is `origin`; the
 * same server answers on http://localhost:<port> too, which is same-site with the local
 * Portcullis server (whose issuer is http://localhost:<port>/).
 */
export interface SpaConfig {
  /** `http://localhost:<port>`: auth0-spa-js keeps a domain that starts with http:// as is. */
  readonly domain: string;
  readonly clientId: string;
  readonly audience?: string;
  readonly scope?: string;
  readonly redirectUri: string;
}

export interface StaticApp {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** Sets what `/spa` configures auth0-spa-js with (known once the server under test runs). */
  configureSpa(config: SpaConfig): void;
  stop(): Promise<void>;
}

const sdkPath = new URL('../../node_modules/@auth0/auth0-spa-js/dist/auth0-spa-js.production.js', import.meta.url);

export async function startStaticApp(): Promise<StaticApp> {
  const port = await freePort();
  let spaConfig: SpaConfig | undefined;
  const sdk = await readFile(sdkPath, 'utf8');
  const server = createServer((req, res) => {
    serve(req, res, sdk, spaConfig).catch((error: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    configureSpa: (config) => {
      spaConfig = config;
    },
    stop: () => close(server),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, sdk: string, spaConfig: SpaConfig | undefined): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const html = (body: string): void => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(body);
  };
  if (req.method === 'POST') {
    const body = await readBody(req);
    return html(`<!doctype html><title>posted</title><pre id="posted">${escape(body)}</pre>`);
  }
  if (url.pathname === '/auth0-spa-js.production.js') {
    res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(sdk);
    return;
  }
  if (url.pathname === '/spa') {
    if (!spaConfig) return html('<!doctype html><title>not configured</title>');
    return html(spaPage(spaConfig));
  }
  if (url.pathname === '/frame') {
    const src = url.searchParams.get('src') ?? 'about:blank';
    // `frameLoaded` is set by the load event, which fires for a blocked frame's error page too.
    return html(`<!doctype html><title>framing</title><iframe id="target" src="${escape(src)}" onload="window.frameLoaded = true" width="600" height="600"></iframe>`);
  }
  if (url.pathname === '/js-probe') {
    // The title changes only if page scripts run (Playwright's own evaluate works either way).
    return html('<!doctype html><title>no script ran</title><script>document.title = "script ran"</script>');
  }
  if (url.pathname === '/form') {
    return html('<!doctype html><title>control form</title><form method="post"><label for="p">Password</label><input id="p" name="password" type="password"><button type="submit">Go</button></form>');
  }
  return html(`<!doctype html><title>static app</title><p id="path">${escape(url.pathname)}</p>`);
}

/**
 * The test SPA: one Auth0Client, created on load, and thin wrappers the tests call through
 * page.evaluate. Errors come back as `{ error, message }` so a test can assert on them.
 */
function spaPage(config: SpaConfig): string {
  const options = {
    domain: config.domain,
    clientId: config.clientId,
    cacheLocation: 'localstorage',
    useRefreshTokens: true,
    authorizationParams: {
      redirect_uri: config.redirectUri,
      ...(config.audience ? { audience: config.audience } : {}),
      scope: config.scope ?? 'openid profile email offline_access',
    },
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>test spa</title>
<script src="/auth0-spa-js.production.js"></script></head>
<body><p id="status">loading</p>
<script>
  const client = new auth0.Auth0Client(${JSON.stringify(options).replace(/</g, '\\u003c')});
  const settle = (promise) => promise.then(
    (value) => ({ ok: true, value: value === undefined ? null : value }),
    (e) => ({ ok: false, error: e && e.error, message: e && e.message ? e.message : String(e) }),
  );
  window.app = {
    login: (extra) => client.loginWithRedirect(extra || {}),
    handleRedirectCallback: () => settle(client.handleRedirectCallback().then(() => null)),
    getUser: () => settle(client.getUser()),
    getTokenSilently: (opts) => settle(client.getTokenSilently(opts || {})),
    getIdTokenClaims: () => settle(client.getIdTokenClaims()),
    logout: (returnTo) => client.logout({ logoutParams: { returnTo } }),
  };
  document.getElementById('status').textContent = 'ready';
</script></body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
