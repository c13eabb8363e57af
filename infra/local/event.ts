import { randomUUID, X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiName, Route } from '../routes.ts';

/**
 * Builds the API Gateway REST (v1) proxy event API Gateway would hand the Lambda for this
 * request, including `requestContext.identity.clientCert` from a real TLS handshake on the
 * mTLS listener — so the handlers cannot tell a laptop from AWS.
 */
export function buildEvent(
  req: IncomingMessage,
  body: Buffer,
  route: Route,
  pathParameters: Record<string, string> | null,
  api: ApiName,
): APIGatewayProxyEvent {
  const url = new URL(req.url ?? '/', 'http://local');
  // Null-prototype maps: a parameter or header named `__proto__` is data, as in API Gateway's
  // JSON event, not a way to crash the server (`multiQuery['__proto__'].push`).
  const headers: Record<string, string> = Object.create(null);
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = value; // API Gateway keeps the last value in `headers`
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = Object.create(null);
  const multiQuery: Record<string, string[]> = Object.create(null);
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const hasQuery = Object.keys(query).length > 0;
  const utf8 = body.length === 0 || isUtf8(body);
  const now = Date.now();
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: req.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters,
    stageVariables: null,
    // Bodies that are not UTF-8 arrive base64-encoded, as binary media types do on API Gateway.
    body: body.length === 0 ? null : utf8 ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !utf8,
    requestContext: {
      accountId: 'local',
      apiId: `local-${api}`,
      authorizer: null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: req.method ?? 'GET',
      path: url.pathname,
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: route.path,
      resourcePath: route.path,
      domainName: req.headers.host,
      identity: {
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? null,
        clientCert: api === 'mtls' ? clientCertOf(req.socket as TLSSocket) : null,
        accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null, cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null,
        user: null, userArn: null,
      },
    },
  } as APIGatewayProxyEvent;
}

function isUtf8(body: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

/** The fields API Gateway puts in `clientCert` (its string formats differ; handlers only trust the PEM). */
function clientCertOf(socket: TLSSocket): APIGatewayProxyEvent['requestContext']['identity']['clientCert'] {
  const cert: X509Certificate | undefined = socket.getPeerX509Certificate?.();
  if (!cert) return null;
  return {
    clientCertPem: cert.toString(),
    subjectDN: cert.subject.split('\n').reverse().join(','),
    issuerDN: cert.issuer.split('\n').reverse().join(','),
    serialNumber: cert.serialNumber.toLowerCase().match(/.{1,2}/g)?.join(':') ?? '',
    validity: { notBefore: cert.validFrom, notAfter: cert.validTo },
  };
}
