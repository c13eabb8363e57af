import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errorTarget, parseResponseType, validateAuthorizeRequest } from '../../../../functions/authorize/authorize-request.ts';
import { matchesCallback, verifyClientAndRedirect } from '../../../../functions/authorize/client-redirect.ts';
import { parseMaxAge, parsePrompt, sessionAnswers, sessionSatisfies, sessionVerdict } from '../../../../functions/authorize/prompt.ts';
import type { AuthorizeQuery } from '../../../../functions/authorize/query-params.ts';
import { OAuthError } from '../../../../shared/errors.ts';
import { clientDefaults, type ClientRecord, type TenantConfig } from '../../../../shared/tenant/model.ts';

/**
 * The checks of /authorize as pure functions (reference §2.1): which failures are error pages
 * (thrown by verifyClientAndRedirect) and which go back to the client, with which code.
 */
const api = 'https://api.authorize.test/';
const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function client(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    ...clientDefaults,
    client_id: 'web',
    name: 'Web',
    is_first_party: true,
    grant_types: ['authorization_code', 'implicit', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_post',
    require_proof_of_possession: false,
    is_token_endpoint_ip_header_trusted: false,
    callbacks: ['https://app.test/callback', 'https://app.test/other?x=1'],
    web_origins: ['https://app.test'],
    extra: {},
    ...overrides,
  };
}

const clients = [
  client(),
  client({ client_id: 'spa', token_endpoint_auth_method: 'none', callbacks: ['https://spa.test/'] }),
  client({ client_id: 'code-only', grant_types: ['authorization_code'] }),
  client({ client_id: 'native', callbacks: ['com.example.app:/callback'] }),
];

const tenant: TenantConfig = {
  settings: { mtls: { enable_endpoint_aliases: false }, rate_limits: {}, extra: {} },
  clients: new Map(clients.map((c) => [c.client_id, c])),
  resourceServers: new Map([
    [api, { identifier: api, name: 'API', signing_alg: 'RS256', token_lifetime: 86400, scopes: ['read:a'], enforce_policies: false, token_dialect: 'access_token', allow_offline_access: true }],
  ]),
  clientGrants: new Map(),
  connections: new Map([
    ['db', { name: 'db', strategy: 'auth0', enabled_clients: ['web', 'spa'], options: {} }],
    ['other-db', { name: 'other-db', strategy: 'auth0', enabled_clients: ['spa'], options: {} }],
    ['google', { name: 'google', strategy: 'google-oauth2', enabled_clients: ['web'], options: {} }],
  ]),
  customDomains: new Map(),
};

const query = (params: Record<string, string>, repeated: string[] = []): AuthorizeQuery => ({ params, repeated: new Set(repeated) });
const base = { client_id: 'web', redirect_uri: 'https://app.test/callback', response_type: 'code', state: 's1' };

function validate(params: Record<string, string>, repeated: string[] = []) {
  const q = query(params, repeated);
  return validateAuthorizeRequest(tenant, q, verifyClientAndRedirect(tenant, q));
}

function refusedWith(params: Record<string, string>, error: string, description?: RegExp) {
  assert.throws(
    () => validate(params),
    (e: unknown) => e instanceof OAuthError && e.error === error && (!description || description.test(e.description)),
    `${JSON.stringify(params)} should be refused with ${error}`,
  );
}

describe('client_id and redirect_uri: error pages, never redirects', () => {
  const pageError = (params: Record<string, string>, description: RegExp, repeated: string[] = []) =>
    assert.throws(
      () => verifyClientAndRedirect(tenant, query(params, repeated)),
      (e: unknown) => e instanceof OAuthError && e.statusCode === 400 && description.test(e.description),
    );

  test('unknown or missing client', () => {
    pageError({ ...base, client_id: 'nope' }, /Unknown client: nope/);
    pageError({ redirect_uri: base.redirect_uri }, /client_id/);
    pageError(base, /more than once/, ['client_id']);
  });

  test('redirect_uri must equal a callback exactly', () => {
    pageError({ ...base, redirect_uri: 'https://app.test/callback/' }, /Callback URL mismatch/);
    pageError({ ...base, redirect_uri: 'https://APP.test/callback' }, /Callback URL mismatch/);
    pageError({ ...base, redirect_uri: 'https://app.test/callback?x=1' }, /Callback URL mismatch/);
    pageError({ ...base, redirect_uri: 'https://app.test/callback#frag' }, /Callback URL mismatch/);
    pageError({ ...base, redirect_uri: 'https://app.test/other' }, /Callback URL mismatch/);
    pageError({ ...base, redirect_uri: 'https://evil.test/callback' }, /Callback URL mismatch/);
    pageError(base, /more than once/, ['redirect_uri']);
    assert.ok(matchesCallback(clients[0]!, 'https://app.test/other?x=1'));
  });

  test('a missing redirect_uri falls back only to a single registered callback', () => {
    pageError({ client_id: 'web', response_type: 'code' }, /Missing required parameter: redirect_uri/);
    const single = verifyClientAndRedirect(tenant, query({ client_id: 'spa', response_type: 'code' }));
    assert.equal(single.redirectUri, 'https://spa.test/');
    assert.equal(single.redirectUriSent, false);
    assert.equal(verifyClientAndRedirect(tenant, query(base)).redirectUriSent, true);
  });
});

describe('redirected errors', () => {
  test('response_type missing, unknown or not enabled for the client', () => {
    const { response_type: _rt, ...noType } = base;
    refusedWith(noType, 'unsupported_response_type');
    refusedWith({ ...base, response_type: 'none' }, 'unsupported_response_type');
    refusedWith({ ...base, response_type: 'code code' }, 'unsupported_response_type');
    refusedWith({ ...base, response_type: 'code device' }, 'unsupported_response_type');
    refusedWith({ ...base, client_id: 'code-only', response_type: 'token' }, 'unauthorized_client', /implicit/);
    refusedWith({ ...base, client_id: 'code-only', response_type: 'code id_token', nonce: 'n' }, 'unauthorized_client');
  });

  test('response types are canonical whatever their order', () => {
    assert.equal(parseResponseType('token id_token'), 'id_token token');
    assert.equal(parseResponseType('id_token  code token'), 'code id_token token');
    assert.equal(parseResponseType('code'), 'code');
    assert.equal(parseResponseType(''), undefined);
  });

  test('nonce is required when an ID token comes from /authorize', () => {
    refusedWith({ ...base, response_type: 'id_token' }, 'invalid_request', /nonce/);
    refusedWith({ ...base, response_type: 'code id_token' }, 'invalid_request', /nonce/);
    assert.equal(validate({ ...base, response_type: 'id_token', nonce: 'n' }).nonce, 'n');
  });

  test('PKCE: S256 only, well-formed, required for public clients', () => {
    refusedWith({ ...base, code_challenge: challenge }, 'invalid_request', /S256/);
    refusedWith({ ...base, code_challenge: challenge, code_challenge_method: 'plain' }, 'invalid_request', /S256/);
    refusedWith({ ...base, code_challenge: 'short', code_challenge_method: 'S256' }, 'invalid_request', /code_challenge/);
    refusedWith({ ...base, code_challenge_method: 'S256' }, 'invalid_request');
    const spa = { client_id: 'spa', redirect_uri: 'https://spa.test/', response_type: 'code' };
    refusedWith(spa, 'invalid_request', /required for public clients/);
    const ok = validate({ ...spa, code_challenge: challenge, code_challenge_method: 'S256' });
    assert.equal(ok.code_challenge, challenge);
    assert.equal(ok.code_challenge_method, 'S256');
  });

  test('response modes: tokens never in a query, web_message only to Allowed Web Origins', () => {
    refusedWith({ ...base, response_type: 'token', response_mode: 'query' }, 'invalid_request', /query/);
    refusedWith({ ...base, response_type: 'code id_token', nonce: 'n', response_mode: 'query' }, 'invalid_request');
    refusedWith({ ...base, response_mode: 'jwt' }, 'invalid_request', /response_mode/);
    refusedWith({ ...base, client_id: 'spa', redirect_uri: 'https://spa.test/', code_challenge: challenge, code_challenge_method: 'S256', response_mode: 'web_message' }, 'invalid_request', /Web Origin/);
    refusedWith({ ...base, client_id: 'native', redirect_uri: 'com.example.app:/callback', response_mode: 'form_post' }, 'invalid_request');
    assert.equal(validate({ ...base, response_mode: 'web_message' }).response_mode, 'web_message');
    assert.equal(validate(base).response_mode, 'query');
    assert.equal(validate({ ...base, response_type: 'token' }).response_mode, 'fragment');
    assert.equal(validate({ ...base, response_type: 'code id_token', nonce: 'n' }).response_mode, 'fragment');
    assert.equal(validate({ ...base, response_type: 'token', response_mode: 'form_post' }).response_mode, 'form_post');
  });

  test('prompt and max_age', () => {
    refusedWith({ ...base, prompt: 'none login' }, 'invalid_request', /prompt=none/);
    refusedWith({ ...base, prompt: 'sometimes' }, 'invalid_request', /prompt/);
    refusedWith({ ...base, max_age: '-1' }, 'invalid_request', /max_age/);
    refusedWith({ ...base, max_age: '1.5' }, 'invalid_request', /max_age/);
    refusedWith({ ...base, max_age: 'abc' }, 'invalid_request', /max_age/);
    assert.deepEqual(parsePrompt('login consent select_account'), ['login', 'consent']);
    assert.deepEqual(parsePrompt(undefined), []);
    assert.equal(parseMaxAge('0'), 0);
    assert.equal(validate({ ...base, max_age: '3600' }).max_age, 3600);
  });

  test('request objects are refused cleanly', () => {
    refusedWith({ ...base, request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported');
    refusedWith({ ...base, request_uri: 'urn:ietf:params:oauth:request_uri:x' }, 'request_uri_not_supported');
  });

  test('audience, scope and connection', () => {
    refusedWith({ ...base, audience: 'https://unknown.test/' }, 'access_denied', /Service not enabled within domain: https:\/\/unknown.test\//);
    refusedWith({ ...base, connection: 'nope' }, 'invalid_request', /connection/);
    refusedWith({ ...base, connection: 'other-db' }, 'invalid_request', /connection/);
    refusedWith({ ...base, connection: 'google' }, 'invalid_request', /connection/);
    refusedWith({ ...base, scope: 'openid bad"scope' }, 'invalid_scope');
    const ok = validate({ ...base, audience: api, scope: 'openid read:a write:nothing', connection: 'db' });
    assert.deepEqual(ok.scope, ['openid', 'read:a']);
    assert.equal(ok.audience, api);
    assert.equal(ok.connection, 'db');
    assert.deepEqual(validate(base).scope, ['openid']);
  });

  test('repeated parameters are refused', () => {
    assert.throws(() => validate(base, ['scope']), (e: unknown) => e instanceof OAuthError && e.error === 'invalid_request' && /scope/.test(e.description));
  });

  test('a valid request keeps what the rest of the flow needs', () => {
    const ok = validate({ ...base, nonce: 'n1', login_hint: 'a@b.test', screen_hint: 'signup', prompt: 'login' });
    assert.equal(ok.client_id, 'web');
    assert.equal(ok.redirect_uri, base.redirect_uri);
    assert.equal(ok.redirect_uri_omitted, undefined);
    assert.equal(ok.state, 's1');
    assert.equal(ok.nonce, 'n1');
    assert.equal(ok.login_hint, 'a@b.test');
    assert.equal(ok.screen_hint, 'signup');
    assert.deepEqual(ok.prompt, ['login']);
    assert.equal(validate({ client_id: 'spa', response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' }).redirect_uri_omitted, true);
  });
});

describe('where errors go', () => {
  const verified = (params: Record<string, string>) => verifyClientAndRedirect(tenant, query(params));
  const target = (params: Record<string, string>) => errorTarget(params, verified(params));

  test('the request response mode when usable, else the default of its response type', () => {
    assert.equal(target(base).mode, 'query');
    assert.equal(target({ ...base, response_type: 'token' }).mode, 'fragment');
    assert.equal(target({ ...base, response_type: 'bogus' }).mode, 'query');
    assert.equal(target({ ...base, response_mode: 'form_post' }).mode, 'form_post');
    assert.equal(target({ ...base, response_mode: 'fragment' }).mode, 'fragment');
    assert.equal(target({ ...base, response_mode: 'web_message' }).mode, 'web_message');
    assert.equal(target({ ...base, response_type: 'token', response_mode: 'query' }).mode, 'fragment');
    assert.equal(target({ client_id: 'spa', redirect_uri: 'https://spa.test/', response_mode: 'web_message', response_type: 'code' }).mode, 'query');
    assert.equal(target(base).redirectUri, base.redirect_uri);
  });
});

describe('whether a session answers without a login', () => {
  const session = { auth_time: 1_000, connection: 'db' };
  test('prompt=login, max_age and connection', () => {
    assert.ok(sessionSatisfies(session, { prompt: [] }, 5_000));
    assert.equal(sessionSatisfies(session, { prompt: ['login'] }, 1_000), false);
    assert.ok(sessionSatisfies(session, { prompt: [], max_age: 10 }, 1_009));
    assert.equal(sessionSatisfies(session, { prompt: [], max_age: 10 }, 1_010), false, 'whole seconds: equal may be longer');
    assert.equal(sessionSatisfies(session, { prompt: [], max_age: 10 }, 1_011), false);
    assert.equal(sessionSatisfies(session, { prompt: [], max_age: 0 }, 1_000), false, 'max_age=0 always asks for a login');
    assert.ok(sessionSatisfies(session, { prompt: ['none'], connection: 'db' }, 1_000));
    assert.equal(sessionSatisfies(session, { prompt: [], connection: 'other-db' }, 1_000), false);
  });
});

describe('sessionAnswers: the one rule /authorize and every page apply to a session', () => {
  const issuer = 'https://auth.authorize.test/';
  const session = { auth_time: 1_000, connection: 'db', user_id: 'auth0|a' };
  const request = (overrides: Partial<Parameters<typeof sessionAnswers>[2]> = {}) => ({ client_id: 'web', prompt: [] as string[], ...overrides });

  test('a session from a connection the client does not have enabled never answers (Auth0 shows the login page)', () => {
    assert.ok(sessionAnswers(tenant, session, request(), 2_000, issuer));
    assert.equal(sessionAnswers(tenant, { ...session, connection: 'other-db' }, request(), 2_000, issuer), false);
    assert.ok(sessionAnswers(tenant, { ...session, connection: 'other-db' }, request({ client_id: 'spa' }), 2_000, issuer));
  });

  test('an id_token_hint names the only user who may answer', () => {
    assert.ok(sessionAnswers(tenant, session, request({ hint_sub: 'auth0|a' }), 2_000, issuer));
    assert.equal(sessionAnswers(tenant, session, request({ hint_sub: 'auth0|b' }), 2_000, issuer), false);
  });

  test('prompt=login and max_age: an older login must satisfy them, a login made for this request does', () => {
    assert.equal(sessionAnswers(tenant, session, request({ prompt: ['login'] }), 1_001, issuer), false);
    assert.ok(sessionAnswers(tenant, session, request({ prompt: ['login'] }), 1_001, issuer, true));
    assert.equal(sessionAnswers(tenant, session, request({ max_age: 0 }), 1_000, issuer), false);
    assert.ok(sessionAnswers(tenant, session, request({ max_age: 0 }), 1_000, issuer, true));
    assert.equal(sessionAnswers(tenant, { ...session, connection: 'other-db' }, request(), 1_000, issuer, true), false, 'fresh or not, the connection must be enabled');
  });

  test('when MFA applies, only a session whose login passed a second factor answers, fresh or not', () => {
    const factors = { otp: true, sms: false, email: false, 'recovery-code': true };
    const withMfa: TenantConfig = { ...tenant, settings: { ...tenant.settings, mfa: { policy: 'all-applications', factors } } };
    assert.equal(sessionAnswers(withMfa, session, request(), 2_000, issuer), false, 'a session from before MFA was turned on');
    assert.equal(sessionAnswers(withMfa, session, request(), 2_000, issuer, true), false);
    assert.ok(sessionAnswers(withMfa, { ...session, amr: ['mfa'] }, request(), 2_000, issuer));
    const never: TenantConfig = { ...tenant, settings: { ...tenant.settings, mfa: { policy: 'never', factors } } };
    assert.ok(sessionAnswers(never, session, request(), 2_000, issuer));
    assert.equal(sessionAnswers(never, session, request({ audience: `${issuer}mfa/` }), 2_000, issuer), false, 'the MFA API audience always needs MFA');
    assert.ok(sessionAnswers(never, { ...session, amr: ['mfa'] }, request({ audience: `${issuer}mfa/` }), 2_000, issuer));
    assert.equal(sessionVerdict(withMfa, session, request(), 2_000, issuer), 'needs-mfa', 'prompt=none then says interaction_required');
    assert.equal(sessionVerdict(withMfa, session, request({ prompt: ['login'] }), 2_000, issuer), 'no', 'a login is needed anyway');
    assert.equal(sessionVerdict(withMfa, { ...session, amr: ['mfa'] }, request(), 2_000, issuer), 'answers');
  });
});
