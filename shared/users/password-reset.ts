import { databaseConnection, isDatabaseConnection, type DatabaseConnection } from '../connections/database.ts';
import { hashPassword } from '../crypto/password.ts';
import { log } from '../log.ts';
import { resetPasswordMail } from '../mail/templates.ts';
import { sendMail } from '../mail/send.ts';
import { createTicket, peekTicket, redeemTicket } from '../store/tickets.ts';
import { findUserByEmail, updateUser } from '../store/users.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { checkPassword, type PolicyCheck } from './password-policy.ts';

/**
 * Password reset by email, as `/dbconnections/change_password` and the hosted reset page do
 * it: a one-time ticket (shared/store/tickets.ts) mailed as `<issuer>u/reset-password?ticket=…`;
 * the page then sets a new password that meets the connection's policy. Using the ticket
 * also lifts brute-force blocks (`unblocked_at`, reference §16.5) and, since whoever used it
 * read the mailbox, marks the email verified [inf: Auth0 does the same].
 */
export const defaults = {
  /** Auth0's default lifetime of a change-password ticket: 5 days. */
  ticketTtlSeconds: 432_000,
};

export interface ResetRequest {
  readonly tenant: TenantConfig;
  readonly connection: DatabaseConnection;
  readonly email: string;
  /** The per-request issuer (with trailing slash): links follow the domain the request came through. */
  readonly issuer: string;
  readonly clientId?: string;
}

/**
 * Mails a reset link when the connection has a user with that email; does nothing otherwise.
 * The caller answers the same either way (no user enumeration).
 */
export async function requestPasswordReset(request: ResetRequest): Promise<void> {
  const email = request.email.trim().toLowerCase();
  if (!email.includes('@')) return;
  const user = await findUserByEmail(request.connection.name, email);
  if (!user?.email) return;
  const ticket = await createTicket(
    'reset',
    { user_id: user.user_id, connection: request.connection.name, ...(request.clientId ? { client_id: request.clientId } : {}) },
    defaults.ticketTtlSeconds,
  );
  const link = `${request.issuer}u/reset-password?ticket=${encodeURIComponent(ticket)}`;
  try {
    await sendMail(resetPasswordMail({ to: user.email, tenantName: request.tenant.settings.friendly_name, link, ttlHours: defaults.ticketTtlSeconds / 3600 }));
  } catch (error) {
    // The answer must not differ for existing users (a 500 only they could cause would tell).
    log.error('password reset email not sent', { user: user.user_id, error: error instanceof Error ? error.name : 'unknown' });
  }
}

/** What a valid ticket opens: the connection whose policy the new password must meet. */
export interface OpenTicket {
  readonly userId: string;
  readonly connection: DatabaseConnection;
}

/** The ticket's user and connection if it is still valid, without using it up. */
export async function openResetTicket(tenant: TenantConfig, ticket: string): Promise<OpenTicket | undefined> {
  const data = await peekTicket('reset', ticket);
  return data ? ticketTarget(tenant, data) : undefined;
}

export type ResetResult = { ok: true } | { ok: false; reason: 'invalid_ticket' } | { ok: false; reason: 'weak_password'; check: PolicyCheck };

/**
 * Sets a new password with a ticket. The policy is checked before the ticket is used up, so a
 * person who typed a weak password can try again with the same link; of two concurrent
 * submissions exactly one redeems it.
 */
export async function resetPasswordWithTicket(tenant: TenantConfig, ticket: string, password: string, now = new Date()): Promise<ResetResult> {
  const open = await openResetTicket(tenant, ticket);
  if (!open) return { ok: false, reason: 'invalid_ticket' };
  const check = checkPassword(password, open.connection.passwordPolicy, open.connection.minLength);
  if (!check.verified) return { ok: false, reason: 'weak_password', check };
  const hash = await hashPassword(password);
  const data = await redeemTicket('reset', ticket);
  if (!data || data.user_id !== open.userId) return { ok: false, reason: 'invalid_ticket' };
  const at = now.toISOString();
  try {
    await updateUser(open.userId, { password_hash: hash, password_changed_at: at, unblocked_at: at, email_verified: true }, { now });
  } catch (error) {
    // The user was deleted since the link was sent: the ticket opened nothing.
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return { ok: false, reason: 'invalid_ticket' };
    throw error;
  }
  return { ok: true };
}

/** The PasswordStrengthError for a refused new password (pages show its message). */

function ticketTarget(tenant: TenantConfig, data: Readonly<Record<string, unknown>>): OpenTicket | undefined {
  const record = typeof data.connection === 'string' ? tenant.connections.get(data.connection) : undefined;
  if (!record || !isDatabaseConnection(record) || typeof data.user_id !== 'string') return undefined;
  return { userId: data.user_id, connection: databaseConnection(record) };
}
