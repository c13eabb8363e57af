import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';
import type { SessionRecord } from '#shared/store/sessions';

/**
 * STUB (owned by the authorize helper): a validated /authorize request waiting for the user
 * (login, signup, consent). Stored in the codes table under the hash of its id, which the
 * pages carry as `state` (`/u/login?state=<id>`, as Auth0's Universal Login does), for at
 * most an hour; bound to the browser by a cookie so another browser cannot finish it.
 */
export interface AuthorizationTransaction {
  readonly id: string;
  readonly client_id: string;
  readonly redirect_uri: string;
  readonly response_type: string;
  readonly response_mode: 'query' | 'fragment' | 'form_post' | 'web_message';
  readonly scope: readonly string[];
  readonly audience?: string;
  readonly state?: string;
  readonly nonce?: string;
  readonly code_challenge?: string;
  readonly code_challenge_method?: 'S256';
  readonly prompt: readonly string[];
  readonly max_age?: number;
  readonly login_hint?: string;
  readonly screen_hint?: string;
  /** The database connection named by `connection`, if any. */
  readonly connection?: string;
  /** Epoch seconds. */
  readonly created_at: number;
}

/** The transaction named by `state` if it exists, is live, and belongs to this browser; else undefined. */
export async function loadTransaction(_request: EndpointRequest, _id: string): Promise<AuthorizationTransaction | undefined> {
  throw new Error('loadTransaction: not implemented yet');
}

/**
 * Finishes an /authorize request for a logged-in session: consent (third-party clients) when
 * needed, then the authorization response to the client in its response mode. The pages call
 * it after a login, signup or consent; /authorize calls it when the session already suffices.
 */
export async function completeAuthorization(_request: EndpointRequest, _transaction: AuthorizationTransaction, _session: SessionRecord, _extra?: { setCookies?: readonly string[] }): Promise<ApiResult> {
  throw new Error('completeAuthorization: not implemented yet');
}

/** Records that the user consented to the transaction's scopes for its client (consent page). */
export async function recordConsent(_transaction: AuthorizationTransaction, _userId: string): Promise<void> {
  throw new Error('recordConsent: not implemented yet');
}

/** Ends the transaction with an OAuth error sent to the client (`access_denied` when consent is declined). */
export async function rejectAuthorization(_request: EndpointRequest, _transaction: AuthorizationTransaction, _error: string, _description: string): Promise<ApiResult> {
  throw new Error('rejectAuthorization: not implemented yet');
}
