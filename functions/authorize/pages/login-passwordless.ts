import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';

/** STUB (owner: helper B): /u/login-passwordless (GET renders, POST submits). */
export async function loginPasswordlessPage(_request: EndpointRequest): Promise<ApiResult> {
  throw new Error('TODO(helper B): loginPasswordlessPage');
}
