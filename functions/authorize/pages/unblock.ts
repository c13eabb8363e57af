import { clearCounter } from '#shared/store/attack-counters';
import { redeemTicket } from '#shared/store/tickets';
import { updateUser } from '#shared/store/users';
import type { EndpointRequest } from '#shared/http/endpoint';
import { html } from '#shared/html/escape';
import { errorPage, renderPage, tenantDisplayName } from '#shared/html/page';
import { isConditionalCheckFailed } from '#shared/store/ddb';
import type { ApiResult } from '#shared/http/types';

/**
 * `GET /u/unblock?ticket=…`: the link of the "account blocked" email (reference §16.5). The
 * ticket is redeemed by a conditional delete, so it works once; the user's `unblocked_at`
 * makes every brute-force count begun before it stop counting (from every IP), and the counter
 * the ticket names is deleted outright. An unknown, used or expired ticket is a 400 page.
 */
export async function unblockPage(request: EndpointRequest): Promise<ApiResult> {
  const tenantName = tenantDisplayName(request.tenant);
  const ticket = request.event.queryStringParameters?.ticket ?? '';
  const data = ticket ? await redeemTicket('unblock', ticket) : undefined;
  const userId = typeof data?.user_id === 'string' ? data.user_id : undefined;
  if (!data || !userId) {
    return errorPage({ status: 400, error: 'invalid_request', description: 'This unblock link is invalid, has expired or has already been used.', tenantName });
  }
  try {
    await updateUser(userId, { unblocked_at: new Date().toISOString() });
  } catch (error) {
    // The user was deleted since the email went out: nothing left to unblock.
    if (!isConditionalCheckFailed(error)) throw error;
    return errorPage({ status: 400, error: 'invalid_request', description: 'This unblock link is invalid, has expired or has already been used.', tenantName });
  }
  if (typeof data.counter === 'string') await clearCounter(data.counter);
  return renderPage({
    title: 'Account unblocked',
    tenantName,
    body: html`<p role="status">Your account has been unblocked. You can log in again.</p>`,
  });
}
