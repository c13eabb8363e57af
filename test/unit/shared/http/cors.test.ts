import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OAuthError } from '../../../../shared/errors.ts';
import { assertOriginAllowed, preflight, withCorsHeaders } from '../../../../shared/http/cors.ts';
import { emptySettings } from '../../../../shared/store/tenant-config.ts';
import { clientDefaults, type ClientRecord, type TenantConfig } from '../../../../shared/tenant/model.ts';
import { apiEvent } from '../../../support/events.ts';

const client = (client_id: string, allowed_origins: string[], web_origins: string[], callbacks: string[] = []): ClientRecord => ({
  ...clientDefaults,
  client_id,
  name: client_id,
  is_first_party: true,
  grant_types: [],
  require_proof_of_possession: false,
  is_token_endpoint_ip_header_trusted: false,
  allowed_origins,
  web_origins,
  callbacks,
  extra: {},
});
const spa = client('spa', ['https://app.example'], []);
const other = client('other', [], ['https://other.example'], ['https://callback.example:8443/cb?x=1', 'com.example.app://callback']);
const tenant: TenantConfig = {
  settings: emptySettings,
  clients: new Map([
    ['spa', spa],
    ['other', other],
  ]),
  resourceServers: new Map(),
  clientGrants: new Map(),
  connections: new Map(),
  customDomains: new Map(),
};
const withOrigin = (origin: string | undefined, method = 'POST') => ({
  ...apiEvent({ headers: origin === undefined ? {} : { origin } }),
  httpMethod: method,
});

describe('CORS', () => {
  test("a preflight from an origin any client allows (allowed_origins, web_origins, a callback's origin): 204 with the Access-Control headers", () => {
    for (const origin of ['https://app.example', 'https://other.example', 'https://callback.example:8443']) {
      const res = preflight(withOrigin(origin, 'OPTIONS'), tenant);
      assert.equal(res.statusCode, 204);
      assert.equal(res.headers?.['Access-Control-Allow-Origin'], origin);
      assert.match(String(res.headers?.['Access-Control-Allow-Methods']), /POST/);
      assert.match(String(res.headers?.['Access-Control-Allow-Headers']), /Auth0-Client/);
      assert.match(String(res.headers?.['Access-Control-Allow-Headers']), /Authorization/);
      assert.ok(Number(res.headers?.['Access-Control-Max-Age']) > 0);
      assert.equal(res.headers?.Vary, 'Origin');
    }
  });

  test('a preflight from any other origin: 403 without Access-Control-Allow-Origin', () => {
    for (const origin of ['https://evil.example', 'null', 'https://app.example:8443', 'http://app.example']) {
      const res = preflight(withOrigin(origin, 'OPTIONS'), tenant);
      assert.equal(res.statusCode, 403, origin);
      assert.equal(res.headers?.['Access-Control-Allow-Origin'], undefined);
    }
  });

  test('the actual request is checked against its own client: another client\'s origin is 403 access_denied', () => {
    assert.doesNotThrow(() => assertOriginAllowed(withOrigin('https://app.example'), spa, tenant));
    assert.doesNotThrow(() => assertOriginAllowed(withOrigin(undefined), spa, tenant), 'no Origin: not a browser CORS request');
    assert.doesNotThrow(() => assertOriginAllowed(withOrigin('https://callback.example:8443'), other, tenant), "a callback's origin");
    assert.throws(() => assertOriginAllowed(withOrigin('null'), other, tenant), 'a custom-scheme callback gives no origin');
    assert.throws(
      () => assertOriginAllowed(withOrigin('https://other.example'), spa, tenant),
      (error: unknown) => error instanceof OAuthError && error.statusCode === 403 && error.error === 'access_denied',
    );
  });

  test('a request naming no known client is checked against every client\'s origins', () => {
    assert.doesNotThrow(() => assertOriginAllowed(withOrigin('https://other.example'), undefined, tenant));
    assert.doesNotThrow(() => assertOriginAllowed(withOrigin(undefined), undefined, tenant));
    assert.throws(() => assertOriginAllowed(withOrigin('https://evil.example'), undefined, tenant), (error: unknown) => error instanceof OAuthError && error.statusCode === 403);
  });

  test('answers, errors included, carry ACAO for allowed origins only, and always Vary: Origin', () => {
    const answer = { statusCode: 400, headers: { 'Content-Type': 'application/json', Vary: 'Accept' }, body: '{}' };
    const allowed = withCorsHeaders(answer, withOrigin('https://other.example'), tenant);
    assert.equal(allowed.headers?.['Access-Control-Allow-Origin'], 'https://other.example');
    assert.match(String(allowed.headers?.['Access-Control-Expose-Headers']), /WWW-Authenticate/);
    assert.equal(allowed.headers?.Vary, 'Accept, Origin');
    const refused = withCorsHeaders(answer, withOrigin('https://evil.example'), tenant);
    assert.equal(refused.headers?.['Access-Control-Allow-Origin'], undefined);
    assert.equal(refused.headers?.Vary, 'Accept, Origin');
    const noTenant = withCorsHeaders(answer, withOrigin('https://app.example'), undefined);
    assert.equal(noTenant.headers?.['Access-Control-Allow-Origin'], undefined);
  });
});
