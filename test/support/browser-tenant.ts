/**
 * Tenant files (Auth0 Deploy CLI shape) for the browser tests: public SPA clients with
 * PKCE and rotating refresh tokens (no leeway, so a reuse is detected at once), an API that
 * allows offline access, one database connection and its users.
 */
export const connection = 'Username-Password-Authentication';
export const audience = 'https://api.browser.test/';

export interface BrowserClient {
  readonly client_id: string;
  readonly callbacks: readonly string[];
  readonly origins: readonly string[];
  readonly logoutUrls?: readonly string[];
}

export interface BrowserUser {
  readonly email: string;
  readonly password: string;
}

export function browserTenant(clients: readonly BrowserClient[], users: readonly BrowserUser[]): Record<string, unknown> {
  return {
    tenant: { friendly_name: 'Browser Tests', default_directory: connection },
    resourceServers: [{ name: 'Browser API', identifier: audience, scopes: [{ value: 'read:items' }], allow_offline_access: true }],
    clients: clients.map((c) => ({
      name: c.client_id,
      client_id: c.client_id,
      app_type: 'spa',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      callbacks: c.callbacks,
      allowed_origins: c.origins,
      web_origins: c.origins,
      allowed_logout_urls: c.logoutUrls ?? [],
      refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0 },
    })),
    connections: [{ name: connection, strategy: 'auth0', enabled_clients: clients.map((c) => c.client_id) }],
    users: users.map((u) => ({ connection, email: u.email, password: u.password, email_verified: true })),
  };
}
