import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';

/** STUB: the hosted /u/consent page (GET renders, POST submits). */
export async function consentPage(_request: EndpointRequest): Promise<ApiResult> {
  throw new Error('consentPage: not implemented yet');
}
