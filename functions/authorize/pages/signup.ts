import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';

/** STUB: the hosted /u/signup page (GET renders, POST submits). */
export async function signupPage(_request: EndpointRequest): Promise<ApiResult> {
  throw new Error('signupPage: not implemented yet');
}
