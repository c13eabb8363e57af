import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * /dbconnections/change_password answers the same whether the email has an account or not
 * (reference §6.2) — also when sending the email fails, which only an existing account
 * reaches: a 500 there would tell who has an account. Here the outbox cannot be written (a
 * folder stands where the file should be), as SES could fail on AWS.
 */
describe('change_password when the email cannot be sent (local server)', () => {
  let server: LocalServer;
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'portcullis-mailfail-'));
    await mkdir(join(dataDir, 'outbox.jsonl'));
    server = await startLocalServer({
      persistent: { dataDir },
      env: { PORTCULLIS_TABLE_PREFIX: `mf${Date.now().toString(36)}` },
      tenant: {
        tenant: { friendly_name: 'Mail failure' },
        clients: [{ name: 'app', client_id: 'app', app_type: 'spa', callbacks: ['https://app.example.test/cb'] }],
        connections: [{ name: 'Users', strategy: 'auth0', enabled_clients: ['app'] }],
        users: [{ connection: 'Users', email: 'known@example.com', password: 'Known-Passw0rd!' }],
      },
    });
  });
  after(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('a known and an unknown email get the same 200 text; the failure is logged without the link', async () => {
    const ask = (email: string) =>
      fetch(`${server.baseUrl}/dbconnections/change_password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'app', connection: 'Users', email }),
      });
    const known = await ask('known@example.com');
    const unknown = await ask('nobody@example.com');
    for (const res of [known, unknown]) {
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "We've just sent you an email to reset your password.");
    }
    assert.match(server.output(), /password reset email not sent/);
    assert.doesNotMatch(server.output(), /reset-password\?ticket=/);
  });
});
