import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';

/** STUB: the hosted /u/login page (GET renders, POST submits). */
export async function loginPage(_request: EndpointRequest): Promise<ApiResult> {
  throw new Error('loginPage: not implemented yet');
}
