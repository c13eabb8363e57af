import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The tenant applied when `npm start` gets no `--tenant`: a machine-to-machine client with a
 * client grant on one API, a database connection with one user, and the passwordless `email`
 * and `sms` connections (codes and magic links land in `<data dir>/outbox.jsonl`). MFA stays
 * off (`guardianPolicies: []`, Auth0's default), so a password login gives tokens at once. Its generated
 * credentials are kept in `<data dir>/demo-credentials.json` (mode 0600), so a restart prints
 * the same ones; with --in-memory they are new on every run.
 */
export interface DemoCredentials {
  readonly client_id: string;
  readonly client_secret: string;
  readonly user_email: string;
  readonly user_password: string;
}

export const demoAudience = 'https://api.demo.local/';
/** Where the demo browser application says it lives: any app served there can log users in. */
export const demoAppOrigins = ['http://localhost:8080', 'http://127.0.0.1:8080'];
export const demoSpaClientId = 'demo-spa';
export const demoConnection = 'Username-Password-Authentication';
export const passwordlessOtpGrant = 'http://auth0.com/oauth/grant-type/passwordless/otp';

export async function demoCredentials(dataDir: string, inMemory: boolean): Promise<DemoCredentials> {
  const file = join(dataDir, 'demo-credentials.json');
  if (!inMemory) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as DemoCredentials;
    } catch {
      // first start: generate below
    }
  }
  const creds: DemoCredentials = {
    client_id: `demo-${randomBytes(12).toString('hex')}`,
    client_secret: randomBytes(48).toString('base64url'),
    user_email: 'demo@example.com',
    user_password: `Demo-${randomBytes(9).toString('base64url')}`,
  };
  if (!inMemory) await writeFile(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}

export function demoTenant(creds: DemoCredentials): Record<string, unknown> {
  return {
    tenant: { friendly_name: 'Portcullis Demo', default_audience: demoAudience, default_directory: demoConnection },
    resourceServers: [
      {
        name: 'Demo API',
        identifier: demoAudience,
        signing_alg: 'RS256',
        token_lifetime: 86400,
        scopes: [{ value: 'read:messages' }, { value: 'write:messages' }],
        allow_offline_access: true,
      },
    ],
    clients: [
      {
        name: 'Demo M2M',
        app_type: 'non_interactive',
        // Passwordless as a trusted backend would use it: /passwordless/start and the OTP grant with its secret.
        grant_types: ['client_credentials', passwordlessOtpGrant],
        token_endpoint_auth_method: 'client_secret_post',
        client_id: creds.client_id,
        client_secret: creds.client_secret,
      },
      {
        // A public browser application (PKCE, rotating refresh tokens), as Auth0 creates an SPA.
        name: 'Demo SPA',
        app_type: 'spa',
        client_id: demoSpaClientId,
        grant_types: ['authorization_code', 'refresh_token', passwordlessOtpGrant],
        callbacks: demoAppOrigins.map((o) => `${o}/callback`),
        allowed_logout_urls: demoAppOrigins.map((o) => `${o}/`),
        allowed_origins: demoAppOrigins,
        web_origins: demoAppOrigins,
      },
    ],
    clientGrants: [{ client_id: 'Demo M2M', audience: demoAudience, scope: ['read:messages', 'write:messages'] }],
    connections: [
      { name: demoConnection, strategy: 'auth0', enabled_clients: ['Demo M2M', 'Demo SPA'] },
      // Auth0's defaults spelled out: 6-digit codes living 180 s, signup at the first login.
      { name: 'email', strategy: 'email', enabled_clients: ['Demo M2M', 'Demo SPA'], options: { totp: { time_step: 180, length: 6 }, disable_signup: false, brute_force_protection: true } },
      { name: 'sms', strategy: 'sms', enabled_clients: ['Demo M2M', 'Demo SPA'], options: { totp: { time_step: 180, length: 6 }, disable_signup: false, brute_force_protection: true } },
    ],
    // MFA off, as a new Auth0 tenant; set all-applications and enable a factor to try it.
    guardianPolicies: { policies: [] },
    guardianFactors: [
      { name: 'otp', enabled: true },
      { name: 'sms', enabled: true },
      { name: 'email', enabled: true },
      { name: 'recovery-code', enabled: true },
    ],
    users: [{ connection: demoConnection, email: creds.user_email, password: creds.user_password, email_verified: true }],
  };
}
