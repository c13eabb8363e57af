import type { ApiEvent } from '../http/types.ts';
import type { TenantConfig } from '../tenant/model.ts';

/**
 * STUB (owned by the pages/sessions helper): SSO sessions. The cookie holds `<sid>.<secret>`;
 * the item (sessions table, `session#<sid>`) stores only the secret's SHA-256, the user,
 * `auth_time`, the clients that received tokens (for back-channel logout), and the idle and
 * absolute expiry (tenant `idle_session_lifetime`, `session_lifetime`, in hours).
 */
export interface SessionRecord {
  readonly sid: string;
  readonly user_id: string;
  readonly connection: string;
  /** Epoch seconds of the login that created the session: ID tokens' `auth_time`. */
  readonly auth_time: number;
  readonly created_at: number;
  readonly last_seen: number;
  /** Absolute expiry, epoch seconds (also the TTL attribute `expiresAt`). */
  readonly expires_at: number;
  readonly idle_expires_at: number;
  /** Client ids that received tokens through this session. */
  readonly clients: readonly string[];
}

export const sessionCookieName = 'portcullis_session';

/** Creates a session after a login; returns it and the `Set-Cookie` value to send. */
export async function createSession(_input: {
  tenant: TenantConfig;
  userId: string;
  connection: string;
  authTime: number;
  secure: boolean;
}): Promise<{ session: SessionRecord; setCookie: string }> {
  throw new Error('createSession: not implemented yet');
}

/** The live session of this browser, if its cookie names one that is neither expired nor ended; touches `last_seen`. */
export async function currentSession(_event: ApiEvent, _tenant: TenantConfig): Promise<SessionRecord | undefined> {
  throw new Error('currentSession: not implemented yet');
}

/** Records that `clientId` received tokens in this session (back-channel logout targets). */
export async function addSessionClient(_sid: string, _clientId: string): Promise<void> {
  throw new Error('addSessionClient: not implemented yet');
}

/** Ends a session (logout); returns it as it was, or undefined if there was none. */
export async function endSession(_sid: string): Promise<SessionRecord | undefined> {
  throw new Error('endSession: not implemented yet');
}

/** The `Set-Cookie` value that deletes the session cookie. */
export function clearSessionCookie(_secure: boolean): string {
  throw new Error('clearSessionCookie: not implemented yet');
}
