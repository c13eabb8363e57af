import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { backchannelTargets, sendBackchannelLogout } from '../../../../shared/logout/backchannel.ts';
import { emptySettings } from '../../../../shared/store/tenant-config.ts';
import { clientDefaults, type ClientRecord, type TenantConfig } from '../../../../shared/tenant/model.ts';
import { loadKeyset } from '../../../../shared/tokens/keyset.ts';
import type { KeysetDocument } from '../../../../shared/tokens/keyset-document.ts';
import { useKeysetFile } from '../../../support/keyset-file.ts';

const issuer = 'https://auth.example.test/';

function client(client_id: string, backchannel_logout_urls: string[], alg: 'RS256' | 'ES256' = 'RS256'): ClientRecord {
  return {
    ...clientDefaults,
    client_id,
    name: client_id,
    is_first_party: true,
    grant_types: ['authorization_code'],
    require_proof_of_possession: false,
    is_token_endpoint_ip_header_trusted: false,
    backchannel_logout_urls,
    jwt_configuration: { alg, lifetime_in_seconds: 36_000 },
    extra: {},
  };
}

function tenantWith(clients: ClientRecord[]): TenantConfig {
  return {
    settings: emptySettings,
    clients: new Map(clients.map((c) => [c.client_id, c])),
    resourceServers: new Map(),
    clientGrants: new Map(),
    connections: new Map(),
    customDomains: new Map(),
  };
}

interface Received {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** A tiny RP: records what it receives; `/slow` never answers, `/redirect` answers 302, `/fail` 500. */
async function startReceiver(): Promise<{ server: Server; base: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
    if (req.url === '/slow') return; // never answers
    if (req.url === '/redirect') return void res.writeHead(302, { Location: '/elsewhere' }).end();
    if (req.url === '/fail') return void res.writeHead(500).end();
    res.writeHead(200, { 'Cache-Control': 'no-store' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('sendBackchannelLogout', () => {
  let doc: KeysetDocument;
  let rp: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    ({ doc } = await useKeysetFile(issuer));
    rp = await startReceiver();
  });
  after(() => {
    rp.server.closeAllConnections();
    rp.server.close();
  });

  test('POSTs a form logout_token per URL of each client of the session, verifiable with the JWKS', async () => {
    rp.received.length = 0;
    const tenant = tenantWith([
      client('app-a', [`${rp.base}/a1`, `${rp.base}/a2`]),
      client('app-b', [`${rp.base}/b`], 'ES256'),
      client('app-c', []),
      client('app-unused', [`${rp.base}/unused`]),
    ]);
    const session = { sid: 'sid-1', user_id: 'auth0|aaaaaaaaaaaaaaaaaaaaaaaa', clients: ['app-a', 'app-b', 'app-c', 'app-a', 'gone'] };
    const deliveries = await sendBackchannelLogout({ tenant, issuer, session });
    assert.deepEqual(deliveries.map((d) => [d.clientId, new URL(d.url).pathname, d.ok, d.status]).sort(), [
      ['app-a', '/a1', true, 200],
      ['app-a', '/a2', true, 200],
      ['app-b', '/b', true, 200],
    ]);
    assert.deepEqual(rp.received.map((r) => r.path).sort(), ['/a1', '/a2', '/b']);
    const jwks = createLocalJWKSet({ keys: loadKeyset(doc).keys.map((k) => k.publicJwk) });
    const jtis = new Set<unknown>();
    for (const r of rp.received) {
      assert.equal(r.contentType, 'application/x-www-form-urlencoded');
      const form = new URLSearchParams(r.body);
      assert.deepEqual([...form.keys()], ['logout_token']);
      const audience = r.path === '/b' ? 'app-b' : 'app-a';
      const { payload, protectedHeader } = await jwtVerify(form.get('logout_token')!, jwks, { issuer, audience, typ: 'logout+jwt', maxTokenAge: 120 });
      assert.equal(protectedHeader.alg, audience === 'app-b' ? 'ES256' : 'RS256');
      assert.equal(payload.sid, 'sid-1');
      assert.equal(payload.sub, session.user_id);
      assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
      jtis.add(payload.jti);
    }
    assert.equal(jtis.size, 3, 'one token (one jti) per delivery');
  });

  test('a failing, redirecting or silent receiver is reported, not thrown, and does not hold up the others', async () => {
    rp.received.length = 0;
    const tenant = tenantWith([client('app', [`${rp.base}/fail`, `${rp.base}/redirect`, `${rp.base}/slow`, `${rp.base}/ok`])]);
    const deliveries = await sendBackchannelLogout({ tenant, issuer, session: { sid: 's', user_id: 'u', clients: ['app'] }, timeoutMs: 300 });
    const byPath = Object.fromEntries(deliveries.map((d) => [new URL(d.url).pathname, d]));
    assert.equal(byPath['/ok']!.ok, true);
    assert.equal(byPath['/fail']!.ok, false);
    assert.equal(byPath['/fail']!.status, 500);
    assert.equal(byPath['/redirect']!.ok, false, 'a redirect is not a delivery');
    assert.equal(byPath['/redirect']!.status, 302);
    assert.equal(byPath['/slow']!.ok, false);
    assert.equal(byPath['/slow']!.reason, 'TimeoutError');
    assert.ok(!rp.received.some((r) => r.path === '/elsewhere'), 'the redirect was not followed');
  });

  test('no client with a back-channel URL: nothing is sent', async () => {
    rp.received.length = 0;
    const tenant = tenantWith([client('app', [])]);
    assert.deepEqual(await sendBackchannelLogout({ tenant, issuer, session: { sid: 's', user_id: 'u', clients: ['app'] } }), []);
    assert.equal(rp.received.length, 0);
  });
});

describe('backchannelTargets', () => {
  test('only http(s) URLs, each client once, each URL once', () => {
    const tenant = tenantWith([client('a', ['https://rp.example/bc', 'https://rp.example/bc', 'ftp://rp.example/x', 'not a url', 'http://127.0.0.1:9/bc'])]);
    assert.deepEqual(backchannelTargets(tenant, ['a', 'a']), [
      { clientId: 'a', url: 'https://rp.example/bc' },
      { clientId: 'a', url: 'http://127.0.0.1:9/bc' },
    ]);
  });
});
