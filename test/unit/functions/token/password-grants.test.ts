import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GrantInput } from '../../../../functions/token/grants/grant.ts';
import { password } from '../../../../functions/token/grants/password.ts';
import { endUserIp } from '../../../../functions/token/grants/first-factor.ts';
import { passwordRealm } from '../../../../functions/token/grants/password-realm.ts';
import type { ClientAuthMethod } from '../../../../shared/client-auth/authenticate.ts';
import { OAuthError } from '../../../../shared/errors.ts';
import { emptySettings } from '../../../../shared/store/tenant-config.ts';
import { clientDefaults, type ClientRecord, type ConnectionRecord, type TenantConfig } from '../../../../shared/tenant/model.ts';

/**
 * The checks of the password grants that come before any login (reference §3.4): which
 * connection, which end-user IP. Nothing here reaches DynamoDB: every case is refused first.
 */
const client = (overrides: Partial<ClientRecord> = {}): ClientRecord => ({
  ...clientDefaults,
  client_id: 'app',
  name: 'App',
  is_first_party: true,
  grant_types: ['password'],
  require_proof_of_possession: false,
  is_token_endpoint_ip_header_trusted: false,
  extra: {},
  ...overrides,
});
const connection = (name: string, enabled: string[], strategy = 'auth0'): [string, ConnectionRecord] => [name, { name, strategy, enabled_clients: enabled, options: {} }];
const tenant = (settings: Partial<TenantConfig['settings']> = {}): TenantConfig => ({
  settings: { ...emptySettings, ...settings },
  clients: new Map(),
  resourceServers: new Map(),
  clientGrants: new Map(),
  connections: new Map([connection('Users', ['app']), connection('Others', ['someone-else']), connection('google-oauth2', ['app'], 'google-oauth2')]),
  customDomains: new Map(),
});
const input = (options: { tenant?: TenantConfig; params?: Record<string, string>; method?: ClientAuthMethod; trusted?: boolean; forwarded?: string } = {}): GrantInput =>
  ({
    request: {
      event: { headers: options.forwarded !== undefined ? { 'auth0-forwarded-for': options.forwarded } : {} },
      tenant: options.tenant ?? tenant(),
      context: { issuer: 'https://login.example.test/', clientIp: '192.0.2.1', customDomain: undefined, certificate: undefined },
    },
    params: { username: 'someone@example.com', password: 'x', ...options.params },
    auth: { client: client({ is_token_endpoint_ip_header_trusted: options.trusted ?? false }), method: options.method ?? 'client_secret_post', certificate: undefined },
  }) as unknown as GrantInput;

const refusedWith = (status: number, error: string, description: string) => (thrown: unknown) => {
  assert.ok(thrown instanceof OAuthError, String(thrown));
  assert.deepEqual([thrown.statusCode, thrown.error, thrown.description], [status, error, description]);
  return true;
};

describe('grant_type=password: the Default Directory', () => {
  test("no default_directory is Auth0's server_error \"Authorization server not configured with default connection.\"", async () => {
    const expected = refusedWith(500, 'server_error', 'Authorization server not configured with default connection.');
    await assert.rejects(password.handle(input()), expected);
    // A default directory that names no database connection is no better.
    await assert.rejects(password.handle(input({ tenant: tenant({ default_directory: 'Nowhere' }) })), expected);
    await assert.rejects(password.handle(input({ tenant: tenant({ default_directory: 'google-oauth2' }) })), expected);
  });

  test('a default directory not enabled for the client: 400 "the connection was disabled"', async () => {
    await assert.rejects(password.handle(input({ tenant: tenant({ default_directory: 'Others' }) })), refusedWith(400, 'invalid_request', 'the connection was disabled'));
  });

  test('username and password are required', async () => {
    const t = tenant({ default_directory: 'Users' });
    await assert.rejects(password.handle(input({ tenant: t, params: { username: '' } })), refusedWith(400, 'invalid_request', 'Missing required parameter: username'));
    await assert.rejects(password.handle(input({ tenant: t, params: { password: '' } })), refusedWith(400, 'invalid_request', 'Missing required parameter: password'));
  });
});

describe('grant_type=http://auth0.com/oauth/grant-type/password-realm: realm', () => {
  test('missing, unknown (or not a database connection), and not enabled for the client', async () => {
    await assert.rejects(passwordRealm.handle(input()), refusedWith(400, 'invalid_request', 'Missing required parameter: realm'));
    for (const realm of ['Nowhere', '__proto__', 'google-oauth2']) {
      await assert.rejects(passwordRealm.handle(input({ params: { realm } })), refusedWith(400, 'invalid_request', 'the connection was not found'));
    }
    await assert.rejects(passwordRealm.handle(input({ params: { realm: 'Others' } })), refusedWith(400, 'invalid_request', 'the connection was disabled'));
  });
});

describe('the end-user IP attack protection counts', () => {
  test('auth0-forwarded-for from an authenticated, trusted client', () => {
    assert.equal(endUserIp(input({ trusted: true, forwarded: '198.51.100.7' })), '198.51.100.7');
    assert.equal(endUserIp(input({ trusted: true, forwarded: ' 2001:db8::1 ' })), '2001:db8::1');
    for (const method of ['client_secret_basic', 'private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'] as const) {
      assert.equal(endUserIp(input({ trusted: true, method, forwarded: '198.51.100.7' })), '198.51.100.7');
    }
  });

  test('ignored from a public client, even one marked trusted', () => {
    assert.equal(endUserIp(input({ trusted: true, method: 'none', forwarded: '198.51.100.7' })), '192.0.2.1');
  });

  test('ignored from a confidential client that is not trusted', () => {
    assert.equal(endUserIp(input({ trusted: false, forwarded: '198.51.100.7' })), '192.0.2.1');
  });

  test('ignored when it is not one IP address', () => {
    for (const forwarded of ['', 'garbage', '198.51.100.7, 203.0.113.1', '198.51.100.0/24', '999.1.1.1']) {
      assert.equal(endUserIp(input({ trusted: true, forwarded })), '192.0.2.1', forwarded);
    }
  });

  test('absent: the request IP', () => {
    assert.equal(endUserIp(input({ trusted: true })), '192.0.2.1');
  });
});
