import type { EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';
import { currentSession } from '#shared/store/sessions';
import { getUser } from '#shared/store/users';
import { completeAuthorization, recordConsent, rejectAuthorization } from '../transaction.ts';
import { consentForm } from './consent-form.ts';
import { pageContext, pageError, pageUrl, submittedForm, type PageContext } from './forms.ts';

/**
 * The hosted /u/consent page (GET renders, POST submits): a third-party application asks
 * for the user's permission (first-party ones never get here, as in Auth0). Its buttons keep
 * Auth0 Universal Login's names: `action=accept` and `action=deny`. It needs the browser's
 * live session: without one, the user logs in first.
 */
export async function consentPage(request: EndpointRequest): Promise<ApiResult> {
  const page = await pageContext(request);
  const session = await currentSession(request.event, request.tenant);
  if (!session) return toLogin(page);
  if (request.event.httpMethod === 'GET') {
    const user = await getUser(session.user_id);
    return consentForm(page, { account: user?.email ?? user?.username });
  }

  const form = submittedForm(page);
  if (form.action === 'accept') {
    await recordConsent(page.transaction, session.user_id);
    return completeAuthorization(request, page.transaction, session);
  }
  if (form.action === 'deny') return rejectAuthorization(request, page.transaction, 'access_denied', 'User did not authorize the request');
  throw pageError(400, 'invalid_request', 'Choose Accept or Decline.');
}

/** 303: the browser asks for the login page with GET, whatever method brought it here. */
function toLogin(page: PageContext): ApiResult {
  return { statusCode: 303, headers: { Location: pageUrl('/u/login', page.state), 'Cache-Control': 'no-store' }, body: '' };
}
