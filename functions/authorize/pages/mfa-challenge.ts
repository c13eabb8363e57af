import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';

/** STUB (owner: helper F): /u/mfa-challenge (GET renders, POST submits). */
export async function mfaChallengePage(_request: EndpointRequest): Promise<ApiResult> {
  throw new Error('TODO(helper F): mfaChallengePage');
}
