import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';

/** STUB (owner: helper F): /u/mfa-enrollment (GET renders, POST submits). */
export async function mfaEnrollmentPage(_request: EndpointRequest): Promise<ApiResult> {
  throw new Error('TODO(helper F): mfaEnrollmentPage');
}
