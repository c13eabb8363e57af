import { tenantDisplayName } from '#shared/html/page';
import type { OAuthError } from '#shared/errors';
import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';
import { deliverResponse, type ResponseParams, type ResponseTarget } from './response-modes.ts';

/**
 * An authorization response or error as the client receives it: `state` echoed verbatim when
 * the request had one (RFC 6749 §4.1.2, §4.1.2.1) and the issuer as `iss` (RFC 9207), so a
 * client talking to several servers can tell which one answered (mix-up attacks).
 */
export function answerClient(request: EndpointRequest, target: ResponseTarget, params: ResponseParams, state: string | undefined, clientName?: string): ApiResult {
  return deliverResponse(target, { ...params, state, iss: request.context.issuer }, {
    tenantName: tenantName(request),
    clientName,
  });
}

export function errorToClient(request: EndpointRequest, target: ResponseTarget, error: Pick<OAuthError, 'error' | 'description'>, state: string | undefined, clientName?: string): ApiResult {
  return answerClient(request, target, { error: error.error, error_description: error.description }, state, clientName);
}

export const tenantName = (request: EndpointRequest) => tenantDisplayName(request.tenant);
