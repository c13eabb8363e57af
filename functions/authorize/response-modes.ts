import { html } from '#shared/html/escape';
import { renderPage } from '#shared/html/page';
import { httpOrigin } from '#shared/http/origins';
import { noStore } from '#shared/http/responses';
import type { ApiResult } from '#shared/http/types';

/**
 * Delivers an authorization response (or error) to a verified redirect_uri in its response
 * mode (reference §2.1): `query` and `fragment` as a 302 (OAuth 2.0 Multiple Response Types),
 * `form_post` as a page that posts a form to the client (OAuth 2.0 Form Post Response Mode),
 * `web_message` as a page that postMessages the result to the window that opened or framed
 * it, which is what auth0-spa-js listens for.
 */
export type ResponseMode = 'query' | 'fragment' | 'form_post' | 'web_message';
export const responseModes: readonly ResponseMode[] = ['query', 'fragment', 'form_post', 'web_message'];

export interface ResponseTarget {
  readonly redirectUri: string;
  readonly mode: ResponseMode;
}

export interface PageContext {
  readonly tenantName: string;
  readonly clientName?: string;
}

/** Parameters with undefined values are left out. */
export type ResponseParams = Readonly<Record<string, string | number | undefined>>;

export function deliverResponse(target: ResponseTarget, params: ResponseParams, page: PageContext): ApiResult {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined).map(([k, v]) => [k, String(v)] as const);
  switch (target.mode) {
    case 'query':
    case 'fragment':
      return { statusCode: 302, headers: { Location: redirectLocation(target, entries), ...noStore }, body: '' };
    case 'form_post':
      return formPost(target.redirectUri, entries, page);
    case 'web_message':
      return webMessage(target.redirectUri, Object.fromEntries(entries), page);
  }
}

/** The registered URI is kept byte for byte; parameters are appended to its query or as the fragment. */
export function redirectLocation(target: ResponseTarget, entries: readonly (readonly [string, string])[]): string {
  const encoded = new URLSearchParams(entries as [string, string][]).toString();
  if (target.mode === 'fragment') return `${target.redirectUri}#${encoded}`;
  const separator = !target.redirectUri.includes('?') ? '?' : /[?&]$/.test(target.redirectUri) ? '' : '&';
  return `${target.redirectUri}${separator}${encoded}`;
}

function formPost(redirectUri: string, entries: readonly (readonly [string, string])[], page: PageContext): ApiResult {
  const origin = httpOrigin(redirectUri);
  return renderPage({
    title: 'Continue',
    tenantName: page.tenantName,
    clientName: page.clientName,
    body: html`<form method="post" action="${redirectUri}">
${entries.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)}<p>Your browser will continue automatically. If it does not, press the button.</p>
<button type="submit">Continue</button>
</form>`,
    formActions: origin ? [origin] : [],
    script: 'document.forms[0].submit();',
  });
}

function webMessage(redirectUri: string, response: Record<string, string>, page: PageContext): ApiResult {
  const origin = httpOrigin(redirectUri)!;
  const message = { type: 'authorization_response', response };
  // The target is whoever opened (popup) or framed (silent authentication) this page; the
  // message goes to the redirect_uri's origin only, which was checked against web_origins.
  const script = `(function () {
  var target = window.opener || (window.parent !== window ? window.parent : null);
  if (target) target.postMessage(${scriptJson(message)}, ${scriptJson(origin)});
})();`;
  return renderPage({
    title: 'Continue',
    tenantName: page.tenantName,
    clientName: page.clientName,
    body: html`<p>You can close this window.</p>`,
    script,
    frameAncestors: [origin],
  });
}

/** JSON that is also safe inside a script element (no `<`, `>`, `&`, line separators). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
