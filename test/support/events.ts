import type { ApiEvent } from '../../shared/http/types.ts';

/**
 * A REST API (v1) proxy event built by hand, with only what the code under test reads.
 * Headers are given lower-cased, as they are after `@middy/http-header-normalizer`.
 */
export interface EventParts {
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Record<string, string>;
  readonly sourceIp?: string;
  readonly clientCertPem?: string;
}

export function apiEvent(parts: EventParts = {}): ApiEvent {
  return {
    body: parts.body ?? null,
    isBase64Encoded: parts.isBase64Encoded ?? false,
    headers: parts.headers ?? {},
    multiValueHeaders: {},
    httpMethod: 'POST',
    path: '/oauth/token',
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: '/oauth/token',
    requestContext: {
      identity: {
        sourceIp: parts.sourceIp ?? '198.51.100.7',
        ...(parts.clientCertPem ? { clientCert: { clientCertPem: parts.clientCertPem } } : {}),
      },
    },
  } as unknown as ApiEvent;
}
