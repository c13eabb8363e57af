import { log } from '../log.ts';
import { blockedAccountMail } from '../mail/templates.ts';
import { sendMail } from '../mail/send.ts';
import { counterKey, claimOnce } from '../store/attack-counters.ts';
import { createTicket } from '../store/tickets.ts';
import type { UserRecord } from '../store/users.ts';

/**
 * The email a user gets when brute-force protection blocks them (reference §16.5, shield
 * `user_notification`): an unblock link, at most one an hour per IP and identifier. The link
 * carries a single-use ticket (shared/store/tickets.ts) naming the user and the counter to
 * clear; /u/unblock redeems it.
 */
export const unblockTicketTtlSeconds = 7 * 24 * 3600;
const noticeWindowMs = 3600 * 1000;

export interface UnblockNotice {
  readonly user: UserRecord;
  readonly connection: string;
  readonly identifier: string;
  readonly ip: string;
  /** The brute-force counter that blocked the user. */
  readonly counter: string;
  /** The request's issuer, with trailing slash: the link's base. */
  readonly issuer: string;
  readonly tenantName: string | undefined;
}

/**
 * Sends the notice unless one went out for this IP and identifier within the hour. Never
 * throws: the login answer (a refusal) must not depend on the mail going out.
 */
export async function sendUnblockNotice(notice: UnblockNotice): Promise<void> {
  try {
    // Passwordless SMS users have no email: nothing to notify by mail.
    if (!notice.user.email) return;
    const throttle = counterKey('bf-notice', notice.connection, notice.identifier.toLowerCase(), notice.ip);
    if (!(await claimOnce(throttle, noticeWindowMs))) return;
    const ticket = await createTicket('unblock', { user_id: notice.user.user_id, counter: notice.counter }, unblockTicketTtlSeconds);
    const link = `${notice.issuer}u/unblock?ticket=${encodeURIComponent(ticket)}`;
    await sendMail(blockedAccountMail({ to: notice.user.email, tenantName: notice.tenantName, link, ip: notice.ip }));
  } catch (error) {
    log.warn('unblock notice not sent', { user: notice.user.user_id, error: error instanceof Error ? error.message : String(error) });
  }
}
