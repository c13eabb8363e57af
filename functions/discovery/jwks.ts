import type { EndpointRequest } from '#shared/http/endpoint';
import { json } from '#shared/http/responses';
import type { ApiResult } from '#shared/http/types';
import { keyset } from '#shared/tokens/keyset';

/**
 * `GET /.well-known/jwks.json` (reference §12.2): the public halves of the next, current and
 * previous keys, so verifiers know a key before it signs and after it stops. Cacheable.
 */
export async function jwks(_request: EndpointRequest): Promise<ApiResult> {
  const { keys } = await keyset();
  return json(200, { keys: keys.map((k) => k.publicJwk) }, { 'Cache-Control': 'public, max-age=600' });
}
