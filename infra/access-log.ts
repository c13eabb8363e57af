/**
 * The API Gateway access-log line (JSON, one per request). Who called, how, with which client
 * certificate and what WAF decided; never a body, a query string, a header value or a token
 * (aws-notes §7). Certificates are identified by subject, serial and expiry only.
 */
export const accessLogFields = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTimeEpoch',
  domainName: '$context.domainName',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integration.error',
  errorResponseType: '$context.error.responseType',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  clientCertSubjectDN: '$context.identity.clientCert.subjectDN',
  clientCertIssuerDN: '$context.identity.clientCert.issuerDN',
  clientCertSerialNumber: '$context.identity.clientCert.serialNumber',
  clientCertNotAfter: '$context.identity.clientCert.validity.notAfter',
  wafResponseCode: '$context.wafResponseCode',
  wafStatus: '$context.waf.status',
  xrayTraceId: '$context.xrayTraceId',
} as const;
