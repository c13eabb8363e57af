import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { html } from '../../../../shared/html/escape.ts';
import { errorPage, renderPage } from '../../../../shared/html/page.ts';
import { pageStyles } from '../../../../shared/html/styles.ts';

describe('renderPage', () => {
  const page = renderPage({ title: 'Log in', tenantName: 'Acme <Inc>', clientName: '"Shop"', body: html`<p>${'<b>hi</b>'}</p>` });
  const csp = String(page.headers?.['Content-Security-Policy']);
  const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];

  test('our stylesheet is inlined as written, under the CSP nonce (not HTML-escaped: quotes stay quotes)', () => {
    assert.ok(nonce);
    assert.ok(page.body.includes(`<style nonce="${nonce}">${pageStyles}</style>`));
    assert.ok(pageStyles.includes('"Segoe UI"'));
  });

  test('tenant, client and body text are escaped', () => {
    assert.ok(page.body.includes('Acme &#60;Inc&#62;'));
    assert.ok(page.body.includes('&#34;Shop&#34;'));
    assert.ok(page.body.includes('&#60;b&#62;hi&#60;/b&#62;'));
    assert.equal(page.body.includes('<b>hi</b>'), false);
  });

  test('no framing, no scripts, forms only to ourselves, no caching, no referrer', () => {
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'none'/);
    assert.match(csp, /form-action 'self'(;|$)/);
    assert.equal(page.headers?.['X-Frame-Options'], 'DENY');
    assert.equal(page.headers?.['Cache-Control'], 'no-store');
    assert.equal(page.headers?.['Referrer-Policy'], 'no-referrer');
  });

  test('a page that must post elsewhere or be framed says so, and a script gets the nonce with </ broken up', () => {
    const framed = renderPage({ title: 't', tenantName: 'n', body: html``, frameAncestors: ['https://app.test'], formActions: ['https://app.test'], script: 'x("</script>")' });
    const framedCsp = String(framed.headers?.['Content-Security-Policy']);
    assert.match(framedCsp, /frame-ancestors https:\/\/app\.test/);
    assert.match(framedCsp, /form-action 'self' https:\/\/app\.test/);
    assert.equal(framed.headers?.['X-Frame-Options'], undefined);
    assert.ok(framed.body.includes('x("<\\/script>")'));
  });

  test('an error page is a 4xx with the code and the description, escaped', () => {
    const error = errorPage({ status: 400, error: 'invalid_request', description: 'Callback URL mismatch <x>', tenantName: 'Acme' });
    assert.equal(error.statusCode, 400);
    assert.ok(error.body.includes('<code>invalid_request</code>'));
    assert.ok(error.body.includes('Callback URL mismatch &#60;x&#62;'));
  });
});
