import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deliverResponse, redirectLocation, scriptJson } from '../../../../functions/authorize/response-modes.ts';

/** The four response modes of an authorization response (reference §2.1). */
const page = { tenantName: 'Tenant', clientName: 'App' };

describe('response modes', () => {
  test('query appends to the registered URI, keeping its own query byte for byte', () => {
    assert.equal(redirectLocation({ redirectUri: 'https://app.test/cb', mode: 'query' }, [['code', 'c'], ['state', 'a b&c']]), 'https://app.test/cb?code=c&state=a+b%26c');
    assert.equal(redirectLocation({ redirectUri: 'https://app.test/cb?x=%7E1', mode: 'query' }, [['code', 'c']]), 'https://app.test/cb?x=%7E1&code=c');
    assert.equal(redirectLocation({ redirectUri: 'https://app.test/cb?', mode: 'query' }, [['code', 'c']]), 'https://app.test/cb?code=c');
    assert.equal(redirectLocation({ redirectUri: 'com.example.app:/callback', mode: 'query' }, [['code', 'c']]), 'com.example.app:/callback?code=c');
  });

  test('fragment carries the parameters after #', () => {
    const result = deliverResponse({ redirectUri: 'https://app.test/cb?x=1', mode: 'fragment' }, { access_token: 't', expires_in: 7200, id_token: undefined }, page);
    assert.equal(result.statusCode, 302);
    assert.equal(result.headers?.Location, 'https://app.test/cb?x=1#access_token=t&expires_in=7200');
    assert.equal(result.headers?.['Cache-Control'], 'no-store');
  });

  test('form_post: a 200 page posting hidden fields to the client, with a button for browsers without script', () => {
    const result = deliverResponse({ redirectUri: 'https://app.test/cb', mode: 'form_post' }, { code: 'c"<1', state: 's' }, page);
    assert.equal(result.statusCode, 200);
    assert.match(result.body, /<form method="post" action="https:\/\/app.test\/cb">/);
    assert.match(result.body, /<input type="hidden" name="code" value="c&#34;&#60;1">/);
    assert.match(result.body, /<input type="hidden" name="state" value="s">/);
    assert.match(result.body, /<button type="submit">/);
    assert.match(result.body, /document\.forms\[0\]\.submit\(\)/);
    const csp = String(result.headers?.['Content-Security-Policy']);
    assert.match(csp, /form-action 'self' https:\/\/app\.test(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
  });

  test('web_message: a page posting the response to the redirect_uri origin, framable by it only', () => {
    const result = deliverResponse({ redirectUri: 'https://app.test/cb', mode: 'web_message' }, { code: 'c</script>', state: 's' }, page);
    assert.equal(result.statusCode, 200);
    assert.match(result.body, /postMessage\(\{"type":"authorization_response","response":\{"code":"c\\u003c\/script\\u003e","state":"s"\}\}, "https:\/\/app\.test"\)/);
    assert.doesNotMatch(result.body, /c<\/script>/);
    assert.match(String(result.headers?.['Content-Security-Policy']), /frame-ancestors https:\/\/app\.test(;|$)/);
    assert.equal(result.headers?.['X-Frame-Options'], undefined);
  });

  test('script JSON cannot close its element or break a line', () => {
    assert.equal(scriptJson({ a: '</script>&\u2028' }), '{"a":"\\u003c/script\\u003e\\u0026\\u2028"}');
    assert.deepEqual(JSON.parse(scriptJson({ a: '</script>&\u2028' })), { a: '</script>&\u2028' });
  });
});
