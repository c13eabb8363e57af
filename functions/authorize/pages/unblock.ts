import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';

/** STUB: the hosted /u/unblock page (GET renders, POST submits). */
export async function unblockPage(_request: EndpointRequest): Promise<ApiResult> {
  throw new Error('unblockPage: not implemented yet');
}
