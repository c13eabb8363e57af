import { invalidRequest } from '#shared/errors';
import { isSecureIssuer, withCookies } from '#shared/http/cookies';
import type { EndpointRequest } from '#shared/http/endpoint';
import { noStore } from '#shared/http/responses';
import type { ApiResult } from '#shared/http/types';
import { addConsent, hasConsent } from '#shared/store/consents';
import type { SessionRecord } from '#shared/store/sessions';
import { getUser, type UserRecord } from '#shared/store/users';
import { matchesCallback } from './client-redirect.ts';
import { errorToClient } from './client-response.ts';
import { issueAuthorizationResponse } from './issue-response.ts';
import { sessionAnswers } from './prompt.ts';
import { browserBinder, consumeTransaction, findTransaction, markTransactionLogin, newTransactionId, saveTransaction, type FirstFactorRecord } from '#shared/store/login-transactions';

/**
 * A validated /authorize request waiting for the user (login, signup, consent). Stored in the
 * codes table under the hash of its id, which the pages carry as `state`
 * (`/u/login?state=<id>`, as Auth0's Universal Login does), for at most an hour; bound to the
 * browser by a cookie so another browser cannot finish it (shared/store/login-transactions.ts).
 */
export interface AuthorizationTransaction {
  readonly id: string;
  readonly client_id: string;
  readonly redirect_uri: string;
  /** Set when /authorize had no redirect_uri and the client's only callback was used. */
  readonly redirect_uri_omitted?: boolean;
  readonly response_type: string;
  readonly response_mode: 'query' | 'fragment' | 'form_post' | 'web_message';
  /** The scopes granted for the request (grantUserScopes), which the consent page shows. */
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
  /** The `sub` of a verified `id_token_hint`: only that user may answer (OIDC Core §3.1.2.2). */
  readonly hint_sub?: string;
  /** The session logged in on the login or signup page for this transaction (markTransactionLogin). */
  readonly login_sid?: string;
  /** The first factor that passed while a second one is pending (markTransactionFirstFactor, the MFA pages). */
  readonly first_factor?: FirstFactorRecord;
  /** Epoch seconds. */
  readonly created_at: number;
}

/** The transaction named by `state` if it exists, is live, and belongs to this browser; else undefined. */
export async function loadTransaction(request: EndpointRequest, id: string): Promise<AuthorizationTransaction | undefined> {
  return findTransaction<AuthorizationTransaction>(request.event, id);
}

/** Stores a transaction for this browser; returns the cookie that binds it. */
export async function storeTransaction(request: EndpointRequest, transaction: AuthorizationTransaction): Promise<string> {
  const { binder, setCookie } = browserBinder(request.event, isSecureIssuer(request.context.issuer));
  await saveTransaction(transaction, binder);
  return setCookie;
}

export const newTransaction = (fields: Omit<AuthorizationTransaction, 'id' | 'created_at'>, nowSeconds = Math.floor(Date.now() / 1000)): AuthorizationTransaction => ({
  ...fields,
  id: newTransactionId(),
  created_at: nowSeconds,
});

/**
 * Finishes an /authorize request for a logged-in session: consent (third-party clients) when
 * needed, then the authorization response to the client in its response mode. The pages call
 * it after a login, signup or consent; /authorize calls it when the session already suffices.
 */
export async function completeAuthorization(
  request: EndpointRequest,
  transaction: AuthorizationTransaction,
  session: SessionRecord,
  extra?: { setCookies?: readonly string[]; freshLogin?: boolean },
): Promise<ApiResult> {
  return finishAuthorization(request, transaction, session, { stored: true, setCookies: extra?.setCookies ?? [], freshLogin: extra?.freshLogin ?? false });
}

export interface FinishOptions {
  /** Whether the transaction is stored (pages) or only in hand (/authorize with a session). */
  readonly stored: boolean;
  readonly setCookies: readonly string[];
  /** The session's user, when the caller has read it already. */
  readonly user?: UserRecord;
  /** The session was just logged in on a page of this transaction (login, signup). */
  readonly freshLogin?: boolean;
}

export async function finishAuthorization(request: EndpointRequest, transaction: AuthorizationTransaction, session: SessionRecord, options: FinishOptions): Promise<ApiResult> {
  const client = verifiedClient(request, transaction);
  const cookies = [...options.setCookies];
  const fresh = options.freshLogin === true || (transaction.login_sid !== undefined && transaction.login_sid === session.sid);
  if (!sessionAnswers(request.tenant, session, transaction, Math.floor(Date.now() / 1000), request.context.issuer, fresh)) {
    // A page reached around the login (e.g. /u/consent typed in after prompt=login): log in first.
    if (!options.stored) throw new Error('finishAuthorization: /authorize passed a session that does not answer the request');
    return withCookies(redirectTo(`/u/login?state=${encodeURIComponent(transaction.id)}`), cookies);
  }
  const fail = async (error: string, description: string) => withCookies(await endWithError(request, transaction, options.stored, error, description), cookies);
  const user = options.user ?? (await getUser(session.user_id));
  if (!user) return fail('access_denied', 'The user no longer exists');
  if (user.blocked) return fail('unauthorized', 'user is blocked');
  if (!client.is_first_party) {
    // prompt=consent asks again: only a consent given during this transaction counts.
    const since = transaction.prompt.includes('consent') ? transaction.created_at : undefined;
    if (!(await hasConsent(user.user_id, client.client_id, transaction.audience, transaction.scope, since))) {
      if (transaction.prompt.includes('none')) return fail('consent_required', 'Consent required');
      if (!options.stored) cookies.push(await storeTransaction(request, transaction));
      // The consent page must know this session's login was made for this request.
      else if (options.freshLogin) await markTransactionLogin(transaction.id, session.sid);
      return withCookies(redirectTo(`/u/consent?state=${encodeURIComponent(transaction.id)}`), cookies);
    }
  }
  // Single use: of two submissions of one login, one answers the client.
  if (options.stored && !(await consumeTransaction(transaction.id))) throw transactionGone();
  return withCookies(await issueAuthorizationResponse(request, transaction, session, user, client), cookies);
}

/** Records that the user consented to the transaction's scopes for its client (consent page). */
export async function recordConsent(transaction: AuthorizationTransaction, userId: string): Promise<void> {
  await addConsent(userId, transaction.client_id, transaction.audience, transaction.scope);
}

/** Ends the transaction with an OAuth error sent to the client (`access_denied` when consent is declined). */
export async function rejectAuthorization(request: EndpointRequest, transaction: AuthorizationTransaction, error: string, description: string): Promise<ApiResult> {
  return endWithError(request, transaction, true, error, description);
}

async function endWithError(request: EndpointRequest, transaction: AuthorizationTransaction, stored: boolean, error: string, description: string): Promise<ApiResult> {
  const client = verifiedClient(request, transaction);
  if (stored && !(await consumeTransaction(transaction.id))) throw transactionGone();
  return errorToClient(request, { redirectUri: transaction.redirect_uri, mode: transaction.response_mode }, { error, description }, transaction.state, client.name);
}

/** The transaction's client, if the tenant still has it and still lists its redirect_uri (the tenant may change within the hour). */
function verifiedClient(request: EndpointRequest, transaction: AuthorizationTransaction) {
  const client = request.tenant.clients.get(transaction.client_id);
  if (!client) throw invalidRequest(`Unknown client: ${transaction.client_id}`);
  if (!matchesCallback(client, transaction.redirect_uri)) throw invalidRequest(`Callback URL mismatch. ${transaction.redirect_uri} is not in the list of allowed callback URLs`);
  return client;
}

export function redirectTo(location: string): ApiResult {
  return { statusCode: 302, headers: { Location: location, ...noStore }, body: '' };
}

const transactionGone = () => invalidRequest('This login has already been completed or has expired. Go back to the application and try again.');
