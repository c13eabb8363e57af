import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routesFor, type ApiName } from '#infra/routes';
import { logicalIdOf, resourcesOfType, synth } from './synth.ts';

const apiId = (api: ApiName) => logicalIdOf(api === 'public' ? 'PublicApi' : 'MtlsApi', 'AWS::ApiGateway::RestApi');

/** "METHOD /full/path" for every method of one REST API, rebuilt from its resources. */
function methodsOf(api: ApiName): string[] {
  const resources = synth().json.Resources;
  const restApi = apiId(api);
  const pathOf = (ref: any): string => {
    if (ref['Fn::GetAtt']?.[1] === 'RootResourceId') return '';
    const resource = resources[ref.Ref]!;
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
  };
  return resourcesOfType('AWS::ApiGateway::Method')
    .filter(([, m]) => m.Properties.RestApiId.Ref === restApi)
    .map(([, m]) => `${m.Properties.HttpMethod} ${m.Properties.ResourceId['Fn::GetAtt'] ? '/' : pathOf(m.Properties.ResourceId)}`)
    .sort();
}

test('two regional REST APIs, both with the execute-api endpoint disabled', () => {
  const { template } = synth();
  template.resourceCountIs('AWS::ApiGateway::RestApi', 2);
  template.resourcePropertiesCountIs('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true, EndpointConfiguration: { Types: ['REGIONAL'] } }, 2);
  template.resourceCountIs('AWS::ApiGateway::Account', 0); // cloudWatchRole: false (aws-notes §1)
});

test('each API exposes exactly its routes from infra/routes.ts', () => {
  for (const api of ['public', 'mtls'] as const) {
    assert.deepEqual(methodsOf(api), routesFor(api).map((r) => `${r.method} ${r.path}`).sort(), api);
  }
  assert.ok(methodsOf('mtls').includes('POST /oauth/token'));
  for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
    assert.ok(methodsOf('public').includes(`GET ${path}`), path);
    assert.ok(!methodsOf('mtls').includes(`GET ${path}`), `${path} is not on the mTLS domain`);
  }
});

test('methods are Lambda proxy integrations', () => {
  for (const [id, method] of resourcesOfType('AWS::ApiGateway::Method')) {
    assert.equal(method.Properties.Integration.Type, 'AWS_PROXY', id);
    assert.equal(method.Properties.AuthorizationType, 'NONE', id);
  }
});

test('the public domain is TLS 1.2, the mTLS domain adds the S3 truststore; both regional, mapped at the root', () => {
  const { template, json } = synth();
  template.hasResourceProperties('AWS::ApiGateway::DomainName', {
    DomainName: { Ref: 'DomainName' },
    EndpointConfiguration: { Types: ['REGIONAL'] },
    RegionalCertificateArn: { Ref: 'CertificateArn' },
    SecurityPolicy: 'TLS_1_2',
  });
  template.hasResourceProperties('AWS::ApiGateway::DomainName', {
    DomainName: { Ref: 'MtlsDomainName' },
    EndpointConfiguration: { Types: ['REGIONAL'] },
    RegionalCertificateArn: { Ref: 'CertificateArn' },
    SecurityPolicy: 'TLS_1_2',
    MutualTlsAuthentication: { TruststoreUri: { 'Fn::Join': ['', ['s3://', { Ref: 'TruststoreBucket' }, '/', { Ref: 'TruststoreKey' }]] } },
  });
  const publicDomain = json.Resources[logicalIdOf('PublicDomain', 'AWS::ApiGateway::DomainName')]!;
  assert.equal(publicDomain.Properties.MutualTlsAuthentication, undefined, 'no client certificates asked of browsers');

  const mappings = resourcesOfType('AWS::ApiGateway::BasePathMapping').map(([, m]) => m.Properties);
  assert.equal(mappings.length, 2);
  for (const [domain, api] of [['PublicDomain', 'public'], ['MtlsDomain', 'mtls']] as const) {
    const mapping = mappings.find((m) => m.DomainName.Ref === logicalIdOf(domain, 'AWS::ApiGateway::DomainName'));
    assert.ok(mapping, domain);
    assert.equal(mapping.RestApiId.Ref, apiId(api));
    assert.equal(mapping.BasePath, undefined, 'root mapping: handlers route on the resource path');
  }
});

test('every method of both stages is throttled by the parameters', () => {
  for (const [id, stage] of resourcesOfType('AWS::ApiGateway::Stage')) {
    const api = stage.Properties.RestApiId.Ref === apiId('public') ? 'public' : 'mtls';
    const settings = stage.Properties.MethodSettings as Array<Record<string, any>>;
    const expected = ['* /*', ...routesFor(api).map((r) => `${r.method} /${r.path.replaceAll('/', '~1')}`)];
    assert.deepEqual(settings.map((s) => `${s.HttpMethod} ${s.ResourcePath}`).sort(), expected.sort(), id);
    for (const s of settings) {
      assert.deepEqual(s.ThrottlingRateLimit, { Ref: 'ThrottleRateLimit' }, id);
      assert.deepEqual(s.ThrottlingBurstLimit, { Ref: 'ThrottleBurstLimit' }, id);
      assert.equal(s.LoggingLevel, 'OFF', 'no execution logs (they can contain bodies)');
      assert.equal(s.DataTraceEnabled, false);
    }
    assert.equal(stage.Properties.TracingEnabled, true);
  }
});

test('JSON access logs carry certificate, source IP and WAF fields, and no bodies', () => {
  for (const [id, stage] of resourcesOfType('AWS::ApiGateway::Stage')) {
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format) as Record<string, string>;
    const variables = Object.values(format);
    for (const v of [
      '$context.identity.clientCert.subjectDN',
      '$context.identity.clientCert.serialNumber',
      '$context.identity.clientCert.validity.notAfter',
      '$context.identity.sourceIp',
      '$context.wafResponseCode',
      '$context.requestId',
    ]) {
      assert.ok(variables.includes(v), `${id}: ${v}`);
    }
    assert.ok(!variables.some((v) => /body|requestOverride|clientCertPem|authorizer|querystring/i.test(v)), id);
    // GetAtt or an ARN joined from a Ref, depending on the feature flags: either way, our log group.
    assert.match(JSON.stringify(stage.Properties.AccessLogSetting.DestinationArn), /AccessLogs/);
  }
});

/** "METHOD /full/path" of one synthesized method. */
function routeOf(method: Record<string, any>): string {
  const resources = synth().json.Resources;
  const pathOf = (ref: any): string => (ref['Fn::GetAtt'] ? '' : `${pathOf(resources[ref.Ref]!.Properties.ParentId)}/${resources[ref.Ref]!.Properties.PathPart}`);
  return `${method.Properties.HttpMethod} ${pathOf(method.Properties.ResourceId)}`;
}

/** The one method of `route` ("METHOD /path") on one API. */
function methodOf(api: ApiName, route: string): Record<string, any> {
  const found = resourcesOfType('AWS::ApiGateway::Method').filter(([, m]) => m.Properties.RestApiId.Ref === apiId(api) && routeOf(m) === route);
  assert.equal(found.length, 1, `${api}: ${route}`);
  return found[0]![1];
}

/** The function logical id a method's Lambda proxy integration invokes. */
function integratedFunction(method: Record<string, any>): string {
  const uri = JSON.stringify(method.Properties.Integration.Uri);
  const match = /"Fn::GetAtt":\["(\w+Function\w*)","Arn"\]/.exec(uri);
  assert.ok(match, uri);
  return match[1]!;
}

test('CORS preflights (OPTIONS) are answered by the route\'s Lambda, never by a gateway mock', () => {
  const methods = resourcesOfType('AWS::ApiGateway::Method');
  for (const [id, method] of methods) assert.notEqual(method.Properties.Integration.Type, 'MOCK', id);
  const expected = routesFor('public').filter((r) => r.method === 'OPTIONS');
  assert.deepEqual(expected.map((r) => r.path).sort(), [
    '/dbconnections/change_password',
    '/dbconnections/signup',
    '/mfa/associate',
    '/mfa/authenticators',
    '/mfa/authenticators/{authenticator_id}',
    '/mfa/challenge',
    '/oauth/revoke',
    '/oauth/token',
    '/passwordless/start',
    '/userinfo',
  ]);
  assert.equal(methods.filter(([, m]) => m.Properties.HttpMethod === 'OPTIONS').length, expected.length, 'one OPTIONS method per preflight route, on the public API only');
  for (const route of expected) {
    const method = methodOf('public', `OPTIONS ${route.path}`);
    assert.equal(method.Properties.Integration.Type, 'AWS_PROXY');
    const fnPrefix = `${route.fn.charAt(0).toUpperCase()}${route.fn.slice(1)}Function`;
    assert.ok(integratedFunction(method).startsWith(fnPrefix), `${route.path} → ${integratedFunction(method)}`);
  }
});

/**
 * The mTLS domain serves the endpoints that authenticate a client (RFC 8705 §5): token, revoke,
 * userinfo, and /passwordless/start and /mfa/challenge, where confidential clients authenticate
 * as at the token endpoint. The rest of the MFA API is called with a bearer token, not a client.
 */
test('the mTLS API carries exactly the client-authenticating endpoints; no page, no logout, no bearer-only MFA call', () => {
  assert.deepEqual(methodsOf('mtls'), ['GET /userinfo', 'POST /mfa/challenge', 'POST /oauth/revoke', 'POST /oauth/token', 'POST /passwordless/start', 'POST /userinfo']);
  for (const path of ['/mfa/associate', '/mfa/authenticators', '/mfa/authenticators/{authenticator_id}', '/passwordless/verify_redirect', '/u/mfa-challenge']) {
    assert.ok(!methodsOf('mtls').some((m) => m.endsWith(` ${path}`)), `${path} is not on the mTLS API`);
  }
  for (const path of ['/authorize', '/u/login', '/u/signup', '/u/consent', '/u/reset-password', '/u/unblock', '/v2/logout', '/oidc/logout', '/dbconnections/signup', '/userinfo',
    '/passwordless/start', '/passwordless/verify_redirect', '/u/login-passwordless', '/u/mfa-enrollment', '/u/mfa-challenge', '/mfa/associate', '/mfa/challenge', '/mfa/authenticators', '/mfa/authenticators/{authenticator_id}']) {
    assert.ok(methodsOf('public').some((m) => m.endsWith(` ${path}`)), `${path} is on the public API`);
  }
});

test('each endpoint reaches its own function, on both APIs', () => {
  const expected: Record<string, string> = {
    'GET /authorize': 'AuthorizeFunction',
    'POST /u/login': 'AuthorizeFunction',
    'POST /dbconnections/signup': 'DbconnectionsFunction',
    'POST /userinfo': 'UserinfoFunction',
    'GET /v2/logout': 'LogoutFunction',
    'POST /oidc/logout': 'LogoutFunction',
    'POST /oauth/token': 'TokenFunction',
    'POST /passwordless/start': 'PasswordlessFunction',
    'GET /passwordless/verify_redirect': 'AuthorizeFunction',
    'POST /u/mfa-challenge': 'AuthorizeFunction',
    'POST /mfa/associate': 'MfaFunction',
    'DELETE /mfa/authenticators/{authenticator_id}': 'MfaFunction',
  };
  for (const [route, fn] of Object.entries(expected)) {
    const method = methodOf('public', route);
    assert.ok(integratedFunction(method).startsWith(fn), `${route} → ${integratedFunction(method)}`);
  }
  for (const route of ['POST /oauth/token', 'POST /oauth/revoke', 'GET /userinfo', 'POST /userinfo', 'POST /passwordless/start', 'POST /mfa/challenge']) {
    const fn = route.includes('userinfo') ? 'UserinfoFunction' : route.includes('passwordless') ? 'PasswordlessFunction' : route.includes('mfa') ? 'MfaFunction' : 'TokenFunction';
    assert.ok(integratedFunction(methodOf('mtls', route)).startsWith(fn), `mtls ${route}`);
  }
});
