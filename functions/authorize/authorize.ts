import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';

/** STUB (owned by the authorize helper): `GET /authorize` (reference §2.1). */
export async function authorize(_request: EndpointRequest): Promise<ApiResult> {
  throw new Error('authorize: not implemented yet');
}
