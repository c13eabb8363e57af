import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';

/** STUB (owned by the tokens helper): `POST /oauth/revoke` (reference §4.4). */
export async function revokeEndpoint(_request: EndpointRequest): Promise<ApiResult> {
  throw new Error('revokeEndpoint: not implemented yet');
}
