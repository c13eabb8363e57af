import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';

/** STUB (owner: helper B): GET /passwordless/verify_redirect, the magic link's landing (reference §7.2). */
export async function verifyRedirect(_request: EndpointRequest): Promise<ApiResult> {
  throw new Error('TODO(helper B): verifyRedirect');
}
