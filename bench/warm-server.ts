import { runLoad } from './measure.ts';
import { failures } from './report.ts';
import { audience, benchUser, form, passwordRealmGrant, webApp, type ServerUnderTest } from './servers.ts';

/**
 * Warms a freshly started Portcullis server and its DynamoDB Local before a user-grant
 * scenario: `seconds` of refresh-token exchanges (non-rotating, one token, `connections`
 * connections) — DynamoDB reads and transactional writes at a few hundred a second, with no
 * password hash to slow them down. DynamoDB Local is a JVM: until its JIT has compiled the
 * request path, each command takes several times its steady-state time (bench/breakdown.ts
 * saw a login's DynamoDB time fall from ~11 ms after 100 logins to ~6 ms after 1,500), and
 * a few seconds of logins, at ~40 a second, do not get there. Production DynamoDB is never
 * cold in that way. The numbers are discarded; a failure stops the bench with the answer.
 */
export async function warmServer(server: ServerUnderTest, seconds: number, connections: number): Promise<void> {
  if (seconds <= 0) return;
  const login = form({
    grant_type: passwordRealmGrant,
    client_id: webApp.clientId,
    client_secret: webApp.clientSecret,
    realm: benchUser.connection,
    username: benchUser.email,
    password: benchUser.password,
    scope: 'openid offline_access read:messages',
    audience,
  });
  const res = await fetch(server.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: login, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  const token = res.status === 200 ? (JSON.parse(text) as { refresh_token?: string }).refresh_token : undefined;
  if (!token) throw new Error(`warming ${server.name}: password-realm for a refresh token answered ${res.status}: ${text.slice(0, 300)}`);
  const body = `${form({ grant_type: 'refresh_token', client_id: webApp.clientId, client_secret: webApp.clientSecret })}&refresh_token=${encodeURIComponent(token)}`;
  const result = await runLoad({ url: server.tokenUrl, connections, seconds, body });
  if (failures(result) > 0) {
    throw new Error(`warming ${server.name} with refresh_token exchanges: ${JSON.stringify(result.statusCodes)}, first failure ${result.firstFailure?.status}: ${result.firstFailure?.body}`);
  }
}
