import { Stack } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  BasePathMapping,
  DomainName,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
  SecurityPolicy,
  type MethodDeploymentOptions,
} from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { accessLogFields } from './access-log.ts';
import type { EndpointFunctions } from './functions.ts';
import type { DeployParameters } from './parameters.ts';
import { routesFor, type ApiName } from './routes.ts';

export interface Api {
  readonly name: ApiName;
  readonly restApi: RestApi;
  readonly domain: DomainName;
}

/**
 * Two REST APIs, one per custom domain (aws-notes §0.4, §1): `public` on DomainName (TLS only;
 * browsers, discovery) and `mtls` on MtlsDomainName (mutual TLS; token endpoints), each mapped
 * at the domain root, since the handlers route on the resource path (aws-notes §1). The
 * execute-api endpoints are disabled, so mTLS cannot be bypassed and no URL other than the
 * custom domains answers.
 */
export function createApis(scope: Construct, parameters: DeployParameters, functions: EndpointFunctions): Api[] {
  const certificate = Certificate.fromCertificateArn(scope, 'Certificate', parameters.certificateArn);
  const truststore = Bucket.fromBucketName(scope, 'Truststore', parameters.truststoreBucket);

  const publicApi = createRestApi(scope, 'public', parameters, functions);
  const publicDomain = new DomainName(scope, 'PublicDomain', {
    domainName: parameters.domainName,
    certificate,
    endpointType: EndpointType.REGIONAL,
    securityPolicy: SecurityPolicy.TLS_1_2,
  });
  new BasePathMapping(scope, 'PublicDomainMapping', { domainName: publicDomain, restApi: publicApi });

  // mTLS needs a Regional domain and the TLS_1_2 policy: CDK refuses the TLS 1.3 "enhanced"
  // policies with mTLS (MtlsNotSupportedWithEnhancedSecurityPolicy, aws-notes §0.3).
  const mtlsApi = createRestApi(scope, 'mtls', parameters, functions);
  const mtlsDomain = new DomainName(scope, 'MtlsDomain', {
    domainName: parameters.mtlsDomainName,
    certificate,
    endpointType: EndpointType.REGIONAL,
    securityPolicy: SecurityPolicy.TLS_1_2,
    // API Gateway reads a changed truststore only when the version changes (aws-notes §1).
    mtls: { bucket: truststore, key: parameters.truststoreKey, version: parameters.truststoreVersion },
  });
  new BasePathMapping(scope, 'MtlsDomainMapping', { domainName: mtlsDomain, restApi: mtlsApi });

  return [
    { name: 'public', restApi: publicApi, domain: publicDomain },
    { name: 'mtls', restApi: mtlsApi, domain: mtlsDomain },
  ];
}

function createRestApi(scope: Construct, name: ApiName, parameters: DeployParameters, functions: EndpointFunctions): RestApi {
  const id = name === 'public' ? 'PublicApi' : 'MtlsApi';
  const routes = routesFor(name);
  // Per-method settings: throttling from the parameters, and access logs only, since
  // execution logs can contain request bodies (aws-notes §7). Repeated on every method so an
  // override never falls back to another default.
  const methodSettings: MethodDeploymentOptions = {
    throttlingRateLimit: parameters.throttleRateLimit,
    throttlingBurstLimit: parameters.throttleBurstLimit,
    loggingLevel: MethodLoggingLevel.OFF,
    dataTraceEnabled: false,
  };
  const accessLogs = new LogGroup(scope, `${id}AccessLogs`, { retention: RetentionDays.THREE_MONTHS });
  const api = new RestApi(scope, id, {
    restApiName: `${Stack.of(scope).stackName}-${name}`,
    description: `Portcullis ${name} API (${routes.map((r) => `${r.method} ${r.path}`).join(', ')})`,
    endpointTypes: [EndpointType.REGIONAL],
    disableExecuteApiEndpoint: true,
    // The API Gateway CloudWatch role is an account singleton; stacks must not fight over it
    // (aws-notes §1). Access logging needs it set once per account and region.
    cloudWatchRole: false,
    deployOptions: {
      stageName: 'prod',
      tracingEnabled: true,
      accessLogDestination: new LogGroupLogDestination(accessLogs),
      accessLogFormat: AccessLogFormat.custom(JSON.stringify(accessLogFields)),
      // The stage default ("/*/*"), then every method of the route table explicitly.
      ...methodSettings,
      methodOptions: Object.fromEntries(routes.map((r) => [`${r.path}/${r.method}`, methodSettings])),
    },
  });
  // RestApi always adds an "Endpoint" output with the execute-api URL, which is disabled.
  api.node.tryRemoveChild('Endpoint');

  for (const route of routes) {
    const integration = new LambdaIntegration(functions[route.fn], { allowTestInvoke: false });
    api.root.resourceForPath(route.path).addMethod(route.method, integration);
  }
  return api;
}
