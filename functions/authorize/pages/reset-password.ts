import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';

/** STUB: the hosted /u/reset-password page (GET renders, POST submits). */
export async function resetPasswordPage(_request: EndpointRequest): Promise<ApiResult> {
  throw new Error('resetPasswordPage: not implemented yet');
}
