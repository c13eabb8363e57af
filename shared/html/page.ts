import { randomBytes } from 'node:crypto';
import type { ApiResult } from '../http/types.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { html, SafeHtml } from './escape.ts';
import { pageStyles } from './styles.ts';

/**
 * The frame of every hosted page (login, signup, consent, reset, errors): server-rendered,
 * usable without JavaScript, with the tenant's friendly name and the application's name.
 *
 * Headers: no framing at all (`frame-ancestors 'none'` and `X-Frame-Options: DENY`, against
 * clickjacking), a CSP that allows only our own inline style by nonce and forms posting back
 * to us, no caching (pages carry CSRF tokens), no referrer (URLs carry `state`).
 */
export interface PageInput {
  readonly title: string;
  readonly tenantName: string;
  readonly clientName?: string;
  /** The page content, built with the `html` tag so interpolations are escaped. */
  readonly body: SafeHtml;
  readonly status?: number;
  /** Extra origins forms on this page may post to (form_post responses post to the client). */
  readonly formActions?: readonly string[];
  /** Inline script for pages that need one (form_post auto-submit, web_message); gets the nonce. */
  readonly script?: string;
  /** Origins allowed to frame the page (web_message answers in an iframe); default none. */
  readonly frameAncestors?: readonly string[];
  readonly headers?: Record<string, string>;
}

/** The name pages show for the tenant: its `friendly_name`, as Universal Login does. */
export const tenantDisplayName = (tenant: TenantConfig): string => tenant.settings.friendly_name ?? 'Portcullis';

export function renderPage(input: PageInput): ApiResult {
  const nonce = randomBytes(16).toString('base64');
  const frameAncestors = input.frameAncestors?.length ? input.frameAncestors.join(' ') : "'none'";
  const csp = [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src ${input.script ? `'nonce-${nonce}'` : "'none'"}`,
    `form-action 'self'${input.formActions?.length ? ` ${input.formActions.join(' ')}` : ''}`,
    `frame-ancestors ${frameAncestors}`,
    "base-uri 'none'",
    'img-src data:',
  ].join('; ');
  const document = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${input.title} | ${input.tenantName}</title>
<style nonce="${nonce}">${new SafeHtml(pageStyles)}</style>
</head>
<body>
<main class="card" aria-labelledby="page-title">
<p class="tenant">${input.tenantName}</p>
<h1 id="page-title">${input.title}</h1>
${input.clientName ? html`<p class="client">to continue to <strong>${input.clientName}</strong></p>` : ''}
${input.body}
</main>
${input.script ? html`<script nonce="${nonce}">${rawScript(input.script)}</script>` : ''}
</body>
</html>`;
  return {
    statusCode: input.status ?? 200,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': csp,
      ...(input.frameAncestors?.length ? {} : { 'X-Frame-Options': 'DENY' }),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      ...input.headers,
    },
    body: document.value,
  };
}

/** Script text is ours, never user input; `</` is still broken up so it cannot close the tag. */
function rawScript(script: string): SafeHtml {
  return new SafeHtml(script.replace(/<\//g, '<\\/'));
}

/**
 * An error page (Auth0 shows one for an unknown client, a callback URL mismatch, a bad
 * `returnTo`…): a 4xx with the error code and a human description, never a redirect.
 */
export function errorPage(input: { status: number; error: string; description: string; tenantName: string }): ApiResult {
  return renderPage({
    title: 'Something went wrong',
    tenantName: input.tenantName,
    status: input.status,
    body: html`<div class="error" role="alert"><p><code>${input.error}</code></p><p>${input.description}</p></div>`,
  });
}
