import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { canonicalDn } from '../../../../shared/client-auth/certificate.ts';
import { sha256Base64Url } from '../../../../shared/crypto/digest.ts';
import { emptySettings } from '../../../../shared/store/tenant-config.ts';
import { clientDefaults, type ClientRecord, type TenantConfig } from '../../../../shared/tenant/model.ts';
import { attackProtectionDefaults } from '../../../../shared/attack-protection/settings.ts';
import { InvalidTenantFile, planTenant, type TenantPlan } from '../../../../infra/tenant/plan.ts';
import { makeTestPki, type TestPki } from '../../../support/certificates.ts';

type Doc = Record<string, unknown>;

/** An Auth0-export style bcrypt hash (cost 10) and an argon2id PHC string: only their form matters here. */
const bcryptHash = '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
const argon2Hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const spki = (key: { export(o: { type: 'spki'; format: 'pem' }): string | Buffer }) => key.export({ type: 'spki', format: 'pem' }).toString();
const rsa2048 = spki(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);
const rsa1024 = spki(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey);
const ecP256 = spki(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
const rsaPss = spki(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey);
const ecP384 = spki(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
const api = 'https://api.example.test/';
const proxyKey = 'proxy-key-0123456789abcdef-SECRET';

/** A valid file touching every section; tests change one thing at a time. */
function validDoc(): Doc {
  return {
    tenant: { friendly_name: 'Test', default_audience: api, default_directory: 'Users', mtls: { enable_endpoint_aliases: true }, rate_limits: { global: { burst: 10, per_second: 5 } }, sandbox_version: '22' },
    resourceServers: [
      { name: 'API', identifier: api, signing_alg: 'PS256', token_lifetime: 600, scopes: [{ value: 'read:a' }, { value: 'write:a' }], enforce_policies: true, token_dialect: 'rfc9068_profile_authz', proof_of_possession: { mechanism: 'mtls', required: true } },
    ],
    clients: [
      { name: 'm2m', client_id: 'm2m-id', client_secret: 'a-file-secret-0123456789', grant_types: ['client_credentials'], callbacks: ['https://app.example.test/cb'] },
      { name: 'generated', app_type: 'non_interactive', token_endpoint_auth_method: 'client_secret_basic' },
      { name: 'spa', app_type: 'spa', token_endpoint_auth_method: 'none' },
    ],
    clientGrants: [{ client_id: 'm2m', audience: api, scope: ['read:a'] }],
    connections: [{ name: 'Users', strategy: 'auth0', enabled_clients: ['spa', 'm2m-id'], options: { passwordPolicy: 'good' } }],
    customDomains: [{ domain: 'login.example.com', type: 'self_managed_certs', cname_api_key: proxyKey, custom_client_ip_header: 'True-Client-IP' }],
    users: [{ connection: 'Users', email: 'Jane@Example.com', password: 'pw-123456', email_verified: true, user_metadata: { a: 1 } }],
  };
}

function problemsOf(doc: unknown, existing?: TenantConfig): readonly string[] {
  try {
    planTenant(doc, existing);
  } catch (error) {
    assert.ok(error instanceof InvalidTenantFile, `expected InvalidTenantFile, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('the file was accepted');
}

function client(plan: TenantPlan, name: string) {
  const found = plan.clients.find((c) => c.record.name === name);
  assert.ok(found, `no planned client ${name}`);
  return found;
}

const withClient = (entry: Doc): Doc => ({ ...validDoc(), clients: [entry] , clientGrants: [], connections: [], users: [] });

describe('planTenant: a valid file', () => {
  let plan: TenantPlan;
  before(() => {
    plan = planTenant(validDoc(), undefined);
  });

  test('settings are read, unknown tenant fields kept in extra', () => {
    assert.deepEqual({ ...plan.settings }, {
      friendly_name: 'Test',
      default_audience: api,
      default_directory: 'Users',
      mtls: { enable_endpoint_aliases: true },
      rate_limits: { global: { burst: 10, per_second: 5 } },
      allowed_logout_urls: [],
      session_lifetime: 168,
      idle_session_lifetime: 72,
      flags: { enable_public_signup_user_exists_error: false },
      attack_protection: attackProtectionDefaults,
      extra: { sandbox_version: '22' },
    });
  });

  test('resource servers are read with every field', () => {
    assert.deepEqual(plan.resourceServers, [
      { identifier: api, name: 'API', signing_alg: 'PS256', token_lifetime: 600, scopes: ['read:a', 'write:a'], enforce_policies: true, token_dialect: 'rfc9068_profile_authz', allow_offline_access: false, proof_of_possession: { mechanism: 'mtls', required: true } },
    ]);
  });

  test("resource server defaults are Auth0's: RS256, 86400 s, access_token dialect", () => {
    const p = planTenant({ resourceServers: [{ identifier: api }] }, undefined);
    assert.deepEqual(p.resourceServers[0], { identifier: api, name: api, signing_alg: 'RS256', token_lifetime: 86400, scopes: [], enforce_policies: false, token_dialect: 'access_token', allow_offline_access: false });
  });

  test('a client keeps its id, its file secret, and its unknown fields in extra', () => {
    const m2m = client(plan, 'm2m');
    assert.deepEqual(m2m.record, {
      client_id: 'm2m-id',
      name: 'm2m',
      is_first_party: true,
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      require_proof_of_possession: false,
      is_token_endpoint_ip_header_trusted: false,
      ...clientDefaults,
      callbacks: ['https://app.example.test/cb'],
      extra: {},
    });
    assert.equal(m2m.secret, 'a-file-secret-0123456789');
    assert.equal(m2m.secretGenerated, false);
    assert.equal(m2m.keepHash, undefined);
  });

  test('the secret never lands in the record', () => {
    assert.equal(JSON.stringify(plan.clients.map((c) => c.record)).includes('a-file-secret-0123456789'), false);
  });

  test('a client without a secret gets a generated one (64 base64url characters) and an id', () => {
    const generated = client(plan, 'generated');
    assert.match(generated.secret ?? '', /^[A-Za-z0-9_-]{64}$/);
    assert.equal(generated.secretGenerated, true);
    assert.match(generated.record.client_id, /^[A-Za-z0-9]{32}$/);
    assert.deepEqual(generated.record.grant_types, ['client_credentials']);
  });

  test('a public client (none) gets no secret', () => {
    const spa = client(plan, 'spa');
    assert.equal(spa.secret, undefined);
    assert.equal(spa.secretGenerated, false);
    assert.deepEqual(spa.record.grant_types, ['authorization_code', 'implicit', 'refresh_token']);
  });

  test('client grants and connections refer to clients by name or by id', () => {
    assert.deepEqual(plan.clientGrants, [{ client_id: 'm2m-id', audience: api, scope: ['read:a'] }]);
    assert.deepEqual(plan.connections, [{ name: 'Users', strategy: 'auth0', enabled_clients: [client(plan, 'spa').record.client_id, 'm2m-id'], options: { passwordPolicy: 'good' } }]);
  });

  test('a client grant may name its API by name', () => {
    const doc = validDoc();
    doc.clientGrants = [{ client_id: 'm2m-id', audience: 'API', scope: [] }];
    assert.deepEqual(planTenant(doc, undefined).clientGrants, [{ client_id: 'm2m-id', audience: api, scope: [] }]);
  });

  test('the custom domain stores only the SHA-256 of its cname_api_key, and a lower-case IP header', () => {
    assert.deepEqual(plan.customDomains, [{ domain: 'login.example.com', type: 'self_managed_certs', cname_api_key_sha256: sha256Base64Url(proxyKey), custom_client_ip_header: 'true-client-ip' }]);
    assert.equal(JSON.stringify(plan).includes(proxyKey), false);
  });

  test('a user may carry an imported password_hash (bcrypt or argon2id) instead of a password, kept as it is', () => {
    for (const password_hash of [bcryptHash, bcryptHash.replace('$2a$', '$2b$'), bcryptHash.replace('$2a$', '$2y$'), argon2Hash]) {
      const planned = planTenant({ ...validDoc(), users: [{ connection: 'Users', email: 'imported@example.com', password_hash }] }, undefined);
      assert.equal(planned.users[0]?.password_hash, password_hash);
      assert.equal(planned.users[0]?.password, undefined);
    }
  });

  test('users are planned with a lower-case email and their metadata', () => {
    assert.deepEqual(plan.users, [{ connection: 'Users', email: 'jane@example.com', password: 'pw-123456', email_verified: true, user_metadata: { a: 1 }, app_metadata: {} }]);
  });

  test('an empty file is an empty plan', () => {
    const empty = planTenant({}, undefined);
    assert.deepEqual({ ...empty, settings: { ...empty.settings } }, { settings: { mtls: { enable_endpoint_aliases: false }, rate_limits: {}, attack_protection: attackProtectionDefaults, extra: {} }, clients: [], resourceServers: [], clientGrants: [], connections: [], customDomains: [], users: [] });
  });
});

describe('planTenant: re-planning against what is stored', () => {
  const stored = (overrides: Partial<ClientRecord>): TenantConfig => {
    const record: ClientRecord = { ...clientDefaults, client_id: 'stored-id', name: 'generated', is_first_party: true, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', client_secret_hash: '$argon2id$stored', require_proof_of_possession: false, is_token_endpoint_ip_header_trusted: false, extra: {}, ...overrides };
    return { settings: emptySettings, clients: new Map([[record.client_id, record]]), resourceServers: new Map(), clientGrants: new Map(), connections: new Map(), customDomains: new Map() };
  };

  test('a client found by name keeps its id and its stored secret hash; no secret is generated', () => {
    const generated = client(planTenant(validDoc(), stored({})), 'generated');
    assert.equal(generated.record.client_id, 'stored-id');
    assert.equal(generated.keepHash, '$argon2id$stored');
    assert.equal(generated.secret, undefined);
    assert.equal(generated.secretGenerated, false);
  });

  test('a secret in the file replaces the stored one', () => {
    const doc = validDoc();
    (doc.clients as Doc[])[1]!.client_secret = 'replacement-secret-0123';
    const generated = client(planTenant(doc, stored({})), 'generated');
    assert.equal(generated.secret, 'replacement-secret-0123');
    assert.equal(generated.keepHash, undefined);
  });

  test('a stored client without a secret gets a generated one when it becomes confidential', () => {
    const generated = client(planTenant(validDoc(), stored({ client_secret_hash: undefined, token_endpoint_auth_method: 'none' })), 'generated');
    assert.equal(generated.secretGenerated, true);
    assert.equal(generated.keepHash, undefined);
  });

  test('a client id in the file wins over the stored one', () => {
    const doc = validDoc();
    (doc.clients as Doc[])[1]!.client_id = 'explicit-id';
    assert.equal(client(planTenant(doc, stored({})), 'generated').record.client_id, 'explicit-id');
  });
});

describe('planTenant: client authentication methods', () => {
  let pki: TestPki;
  before(async () => {
    pki = await makeTestPki('/C=US/O=Acme\\, Inc./CN=client-1');
  });

  test('tls_client_auth from a pem stores the certificate subject DN in canonical form', () => {
    const plan = planTenant(withClient({ name: 'mtls', client_authentication_methods: { tls_client_auth: { credentials: [{ credential_type: 'cert_subject_dn', pem: pki.clientCert }] } } }), undefined);
    const record = plan.clients[0]!.record;
    assert.deepEqual(record.client_authentication_methods, { tls_client_auth: { credentials: [{ subject_dn: canonicalDn(new X509Certificate(pki.clientCert).subject) }] } });
    assert.equal(record.client_authentication_methods?.tls_client_auth?.credentials[0]?.subject_dn, canonicalDn('CN=client-1,O=Acme\\, Inc.,C=US'));
  });

  test('tls_client_auth from a subject_dn string stores it in canonical form; no secret, no auth method', () => {
    const plan = planTenant(withClient({ name: 'mtls', client_authentication_methods: { tls_client_auth: { credentials: [{ subject_dn: 'CN=client-1, O=Tenant A, C=US' }] } } }), undefined);
    const planned = plan.clients[0]!;
    assert.equal(planned.record.client_authentication_methods?.tls_client_auth?.credentials[0]?.subject_dn, canonicalDn('C=US\nO=Tenant A\nCN=client-1'));
    assert.equal(planned.record.token_endpoint_auth_method, undefined);
    assert.equal(planned.secret, undefined);
  });

  test('self_signed_tls_client_auth stores the x5t#S256 of each certificate', () => {
    const plan = planTenant(withClient({ name: 'self', client_authentication_methods: { self_signed_tls_client_auth: { credentials: [{ pem: pki.selfSignedCert }, { pem: pki.clientCert }] } } }), undefined);
    const thumbprints = [pki.selfSignedCert, pki.clientCert].map((p) => sha256Base64Url(new X509Certificate(p).raw));
    assert.deepEqual(plan.clients[0]!.record.client_authentication_methods?.self_signed_tls_client_auth?.credentials.map((c) => c.x5t_s256), thumbprints);
  });

  test('at most two self-signed certificates (Auth0 §17)', () => {
    const doc = withClient({ name: 'self', client_authentication_methods: { self_signed_tls_client_auth: { credentials: [{ pem: pki.selfSignedCert }, { pem: pki.clientCert }, { pem: pki.caCert }] } } });
    assert.deepEqual(problemsOf(doc), ['clients[0] "self".client_authentication_methods.self_signed_tls_client_auth.credentials: needs one or two certificates']);
  });

  test('private_key_jwt stores SPKI PEMs with their alg and kid; a certificate gives its key', () => {
    const plan = planTenant(withClient({ name: 'pkj', client_authentication_methods: { private_key_jwt: { credentials: [{ pem: rsa2048, kid: 'k1' }, { pem: ecP256, alg: 'ES256' }, { pem: pki.clientCert, alg: 'PS256', name: 'from-cert' }] } } }), undefined);
    const credentials = plan.clients[0]!.record.client_authentication_methods?.private_key_jwt?.credentials ?? [];
    assert.deepEqual(credentials.map((c) => [c.id.length > 0, c.alg]), [[true, 'RS256'], [true, 'ES256'], [true, 'PS256']]);
    assert.equal(credentials[0]!.id, 'k1');
    assert.equal(credentials[2]!.id, 'from-cert');
    assert.equal(credentials[0]!.pem, rsa2048);
    assert.match(credentials[2]!.pem, /^-----BEGIN PUBLIC KEY-----/);
  });

  const pkj = (credential: Doc) => withClient({ name: 'pkj', client_authentication_methods: { private_key_jwt: { credentials: [credential] } } });
  for (const [what, credential, problem] of [
    ['an RSA algorithm with an EC key', { pem: ecP256, alg: 'RS256' }, '.alg: RS256 does not fit a ec'],
    ['an EC algorithm with an RSA key', { pem: rsa2048, alg: 'ES256' }, '.alg: ES256 does not fit a rsa'],
    ['ES256 with a P-384 key', { pem: ecP384, alg: 'ES256' }, '.alg: ES256 does not fit'],
    ['ES384 with a P-256 key', { pem: ecP256, alg: 'ES384' }, '.alg: ES384 does not fit'],
    ['RS256 with an RSA-PSS-only key', { pem: rsaPss, alg: 'RS256' }, '.alg: RS256 does not fit a rsa-pss'],
    ['an RSA key under 2048 bits', { pem: rsa1024, alg: 'RS256' }, '.pem: RSA keys need at least 2048 bits'],
    ['an unknown algorithm', { pem: rsa2048, alg: 'HS256' }, '.alg: must be one of'],
    ['a pem that is no key', { pem: 'not a pem' }, '.pem: is not a PEM public key'],
    ['a missing pem', { alg: 'RS256' }, '.pem: is required'],
  ] as const) {
    test(`private_key_jwt refuses ${what}`, () => {
      const problems = problemsOf(pkj(credential));
      const prefix = 'clients[0] "pkj".client_authentication_methods.private_key_jwt.credentials[0]';
      assert.ok(problems.some((p) => p.startsWith(`${prefix}${problem}`)), problems.join('\n'));
    });
  }

  test('PS256 and ES384 accept the keys they fit (RSA-PSS, P-384)', () => {
    const plan = planTenant(withClient({ name: 'pkj', client_authentication_methods: { private_key_jwt: { credentials: [{ pem: rsaPss, alg: 'PS256' }, { pem: ecP384, alg: 'ES384' }] } } }), undefined);
    assert.deepEqual(plan.clients[0]!.record.client_authentication_methods?.private_key_jwt?.credentials.map((c) => c.alg), ['PS256', 'ES384']);
  });

  test('token_endpoint_auth_method together with client_authentication_methods is refused', () => {
    const doc = withClient({ name: 'both', token_endpoint_auth_method: 'client_secret_post', client_authentication_methods: { private_key_jwt: { credentials: [{ pem: rsa2048 }] } } });
    assert.deepEqual(problemsOf(doc), ['clients[0] "both".token_endpoint_auth_method: must be null when client_authentication_methods is set (Auth0 §17)']);
  });

  test('token_endpoint_auth_method null beside client_authentication_methods is accepted', () => {
    const doc = withClient({ name: 'both', token_endpoint_auth_method: null, client_authentication_methods: { private_key_jwt: { credentials: [{ pem: rsa2048 }] } } });
    assert.equal(planTenant(doc, undefined).clients[0]!.record.token_endpoint_auth_method, undefined);
  });

  test('tls_client_auth needs a subject_dn or a pem; a bad pem is reported', () => {
    const doc = withClient({ name: 'mtls', client_authentication_methods: { tls_client_auth: { credentials: [{ credential_type: 'cert_subject_dn' }, { pem: 'garbage' }] } } });
    assert.deepEqual(problemsOf(doc), [
      'clients[0] "mtls".client_authentication_methods.tls_client_auth.credentials[0]: needs subject_dn or pem',
      'clients[0] "mtls".client_authentication_methods.tls_client_auth.credentials[1].pem: is not a PEM certificate',
      'clients[0] "mtls".client_authentication_methods.tls_client_auth.credentials: needs at least one credential',
    ]);
  });

  test('an empty client_authentication_methods is refused: the client could not authenticate', () => {
    const problems = problemsOf(withClient({ name: 'nothing', client_authentication_methods: {} }));
    assert.deepEqual(problems, ['clients[0] "nothing".client_authentication_methods: needs at least one method (private_key_jwt, tls_client_auth, self_signed_tls_client_auth)']);
  });
});

describe('planTenant: invalid input is reported with its entry and field', () => {
  const cases: [string, (doc: Doc) => void, string][] = [
    ['clients not a list', (d) => (d.clients = { name: 'x' }), 'clients: must be a list'],
    ['a client entry not a mapping', (d) => (d.clients = ['x']), 'clients[0]: must be a mapping'],
    ['a client without a name', (d) => (d.clients = [{ client_id: 'abc' }]), 'clients[0].name: is required'],
    ['a client name too long', (d) => (d.clients = [{ name: 'n'.repeat(129) }]), '.name: must be at most 128 characters'],
    ['a client id with bad characters', (d) => ((d.clients as Doc[])[0]!.client_id = 'bad id!'), 'clients[0] "m2m".client_id: must match'],
    ['a client secret too short', (d) => ((d.clients as Doc[])[0]!.client_secret = 'short'), 'clients[0] "m2m".client_secret: must be at least 16 characters'],
    ['a client secret that is not a string', (d) => ((d.clients as Doc[])[0]!.client_secret = 1234567890123456789), 'clients[0] "m2m".client_secret: must be a string'],
    ['an unknown auth method', (d) => ((d.clients as Doc[])[0]!.token_endpoint_auth_method = 'magic'), 'clients[0] "m2m".token_endpoint_auth_method: must be one of none, client_secret_post, client_secret_basic'],
    ['grant types not strings', (d) => ((d.clients as Doc[])[0]!.grant_types = [1]), 'clients[0] "m2m".grant_types: must be a list of strings'],
    ['a boolean that is not one', (d) => ((d.clients as Doc[])[0]!.is_first_party = 'yes'), 'clients[0] "m2m".is_first_party: must be true or false'],
    ['client_credentials for a public client', (d) => (d.clients = [{ name: 'pub', token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] }]), 'clients[0] "pub".grant_types: client_credentials needs a confidential client'],
    ['two clients with one name', (d) => (d.clients as Doc[]).push({ name: 'm2m' }), 'clients: name m2m appears more than once'],
    ['two clients with one id', (d) => (d.clients as Doc[]).push({ name: 'other', client_id: 'm2m-id' }), 'clients: client_id m2m-id appears more than once'],
    ['an API without identifier', (d) => (d.resourceServers as Doc[]).push({ name: 'nameless' }), 'resourceServers[1] "nameless".identifier: is required'],
    ['an unknown signing alg', (d) => ((d.resourceServers as Doc[])[0]!.signing_alg = 'HS256'), 'resourceServers[0] "API".signing_alg: must be one of RS256, ES256, PS256'],
    ['a token lifetime out of range', (d) => ((d.resourceServers as Doc[])[0]!.token_lifetime = 0), 'resourceServers[0] "API".token_lifetime: must be an integer from 1 to 2592000'],
    ['a fractional token lifetime', (d) => ((d.resourceServers as Doc[])[0]!.token_lifetime = 1.5), 'resourceServers[0] "API".token_lifetime: must be an integer'],
    ['a scope with a space', (d) => ((d.resourceServers as Doc[])[0]!.scopes = [{ value: 'read a' }]), 'resourceServers[0] "API".scopes[0].value: must match'],
    ['an unknown token dialect', (d) => ((d.resourceServers as Doc[])[0]!.token_dialect = 'jwt'), 'resourceServers[0] "API".token_dialect: must be one of'],
    ['an unknown PoP mechanism', (d) => ((d.resourceServers as Doc[])[0]!.proof_of_possession = { mechanism: 'dpop' }), 'resourceServers[0] "API".proof_of_possession.mechanism: must be one of mtls'],
    ['two APIs with one identifier', (d) => (d.resourceServers as Doc[]).push({ identifier: api }), `resourceServers: identifier ${api} appears more than once`],
    ['a grant for an unknown client', (d) => ((d.clientGrants as Doc[])[0]!.client_id = 'ghost'), 'clientGrants[0].client_id: names no client in this file (ghost)'],
    ['a grant for an unknown API', (d) => ((d.clientGrants as Doc[])[0]!.audience = 'https://nope/'), 'clientGrants[0].audience: names no resource server in this file (https://nope/)'],
    ['a grant of a scope the API lacks', (d) => ((d.clientGrants as Doc[])[0]!.scope = ['delete:a']), `clientGrants[0].scope: delete:a is not a scope of ${api}`],
    ['two grants for one client and API', (d) => (d.clientGrants as Doc[]).push({ client_id: 'm2m-id', audience: api }), `clientGrants: grant m2m-id → ${api} appears more than once`],
    ['a connection name with bad characters', (d) => ((d.connections as Doc[])[0]!.name = 'bad name'), 'connections[0] "bad name".name: must match'],
    ['a connection enabling an unknown client', (d) => ((d.connections as Doc[])[0]!.enabled_clients = ['ghost']), 'connections[0] "Users".enabled_clients: names no client in this file (ghost)'],
    ['two connections with one name', (d) => (d.connections as Doc[]).push({ name: 'Users' }), 'connections: name Users appears more than once'],
    ['a custom domain that is no host name', (d) => ((d.customDomains as Doc[])[0]!.domain = 'https://login.example.com'), 'customDomains[0].domain: must match'],
    ['a self-managed domain without proxy key', (d) => delete (d.customDomains as Doc[])[0]!.cname_api_key, 'customDomains[0].cname_api_key: is required for self_managed_certs'],
    ['a proxy key too short', (d) => ((d.customDomains as Doc[])[0]!.cname_api_key = 'short'), 'customDomains[0].cname_api_key: must be at least 16 characters'],
    ['a bad IP header name', (d) => ((d.customDomains as Doc[])[0]!.custom_client_ip_header = 'x ip'), 'customDomains[0].custom_client_ip_header: must match'],
    ['two custom domains with one name', (d) => (d.customDomains as Doc[]).push({ domain: 'login.example.com', type: 'auth0_managed_certs' }), 'customDomains: domain login.example.com appears more than once'],
    ['a user with a bad email', (d) => ((d.users as Doc[])[0]!.email = 'not-an-email'), 'users[0].email: must match'],
    ['a user of an unknown connection', (d) => ((d.users as Doc[])[0]!.connection = 'Nope'), 'users[0].connection: names no connection in this file (Nope)'],
    ['a user without password', (d) => delete (d.users as Doc[])[0]!.password, 'users[0].password: is required'],
    ['a user with both password and password_hash', (d) => ((d.users as Doc[])[0]!.password_hash = bcryptHash), 'users[0].password_hash: cannot be given with password'],
    ['a user with a password_hash of no known kind', (d) => ((d.users as Doc[])[0] = { connection: 'Users', email: 'a@b.c', password_hash: '$1$md5$nope' }), 'users[0].password_hash: must be a bcrypt hash'],
    ['a user with a bcrypt cost above 16', (d) => ((d.users as Doc[])[0] = { connection: 'Users', email: 'a@b.c', password_hash: bcryptHash.replace('$10$', '$31$') }), 'users[0].password_hash: must be a bcrypt hash'],
    ['an unknown rate-limit bucket', (d) => ((d.tenant as Doc).rate_limits = { token: { burst: 1, per_second: 1 } }), 'tenant.rate_limits.token: is not a known bucket'],
    ['a rate limit that is not a positive integer', (d) => ((d.tenant as Doc).rate_limits = { global: { burst: 0, per_second: 1 } }), 'tenant.rate_limits.global.burst: must be an integer from 1 to 1000000'],
    ['a default audience that names no API', (d) => ((d.tenant as Doc).default_audience = 'https://nope/'), 'tenant.default_audience: names no resource server in this file (https://nope/)'],
    ['tenant not a mapping', (d) => (d.tenant = 'x'), 'tenant: must be a mapping'],
  ];
  for (const [name, change, expected] of cases) {
    test(name, () => {
      const doc = validDoc();
      change(doc);
      const problems = problemsOf(doc);
      assert.ok(problems.some((p) => p.startsWith(expected) || p.includes(expected)), `expected "${expected}" in:\n${problems.join('\n')}`);
    });
  }

  test('a file that is not a mapping is refused whole', () => {
    for (const doc of [null, 'text', [], 42]) assert.deepEqual(problemsOf(doc), ['the file must be a YAML mapping']);
  });

  test('several problems are reported at once, and the message lists them all', () => {
    const doc = validDoc();
    (doc.clients as Doc[])[0]!.client_secret = 'short';
    (doc.resourceServers as Doc[])[0]!.signing_alg = 'none';
    (doc.users as Doc[])[0]!.email = 'x';
    let message = '';
    try {
      planTenant(doc, undefined);
    } catch (error) {
      message = (error as Error).message;
      assert.equal((error as InvalidTenantFile).problems.length, 3);
    }
    assert.match(message, /nothing was applied/);
    assert.match(message, /clients\[0\] "m2m"\.client_secret/);
    assert.match(message, /resourceServers\[0\] "API"\.signing_alg/);
    assert.match(message, /users\[0\]\.email/);
  });
});

describe('planTenant: defaults and matching added after review', () => {
  test('spa and native clients default to the public method none, as in Auth0', () => {
    const plan = planTenant({ clients: [{ name: 's', app_type: 'spa' }, { name: 'n', app_type: 'native' }] }, undefined);
    assert.deepEqual(plan.clients.map((c) => c.record.token_endpoint_auth_method), ['none', 'none']);
    assert.deepEqual(plan.clients.map((c) => c.secret), [undefined, undefined]);
  });

  test('a renamed client with an explicit client_id keeps its stored secret', () => {
    const first = planTenant({ clients: [{ name: 'old', client_id: 'fixed-id', grant_types: ['client_credentials'] }] }, undefined);
    const stored = { ...first.clients[0]!.record, client_secret_hash: '$argon2id$stored' };
    const existing = { ...emptyTenant(), clients: new Map([[stored.client_id, stored]]) };
    const second = planTenant({ clients: [{ name: 'new', client_id: 'fixed-id', grant_types: ['client_credentials'] }] }, existing as never);
    assert.equal(second.clients[0]!.keepHash, '$argon2id$stored');
    assert.equal(second.clients[0]!.secretGenerated, false);
  });
});

function emptyTenant() {
  return {
    settings: { mtls: { enable_endpoint_aliases: false }, rate_limits: {}, extra: {} },
    clients: new Map(),
    resourceServers: new Map(),
    clientGrants: new Map(),
    connections: new Map(),
    customDomains: new Map(),
  };
}
