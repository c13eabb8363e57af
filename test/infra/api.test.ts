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
