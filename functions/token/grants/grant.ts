import type { AuthenticatedClient } from '#shared/client-auth/authenticate';
import type { EndpointRequest } from '#shared/http/endpoint';
import type { Params } from '#shared/http/types';

/** One grant of /oauth/token, in node-oidc-provider's shape: its parameters and a handler. */
export interface Grant {
  /** Whether public clients (`token_endpoint_auth_method: none`) may use it. */
  readonly allowsPublicClients: boolean;
  readonly handle: (input: GrantInput) => Promise<Record<string, unknown>>;
}

export interface GrantInput {
  readonly request: EndpointRequest;
  readonly params: Params;
  readonly auth: AuthenticatedClient;
}
