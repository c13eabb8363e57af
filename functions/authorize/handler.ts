import { notFound } from '#shared/errors';
import { endpoint, type EndpointRequest } from '#shared/http/endpoint';
import type { ApiResult } from '#shared/http/types';
import { authorize } from './authorize.ts';
import { consentPage } from './pages/consent.ts';
import { loginPage } from './pages/login.ts';
import { loginPasswordlessPage } from './pages/login-passwordless.ts';
import { mfaChallengePage } from './pages/mfa-challenge.ts';
import { mfaEnrollmentPage } from './pages/mfa-enrollment.ts';
import { resetPasswordPage } from './pages/reset-password.ts';
import { signupPage } from './pages/signup.ts';
import { unblockPage } from './pages/unblock.ts';
import { verifyRedirect } from './verify-redirect.ts';

/**
 * Lambda for /authorize and the hosted pages (infra/routes.ts). Each page module answers
 * both its GET (render) and its POST (submit). Errors render as an HTML error page: a
 * browser is on the other end, and an error that cannot be sent to a verified redirect_uri
 * must never become a redirect (reference §2.1).
 */
const pages = new Map<string, (request: EndpointRequest) => Promise<ApiResult>>([
  ['/authorize', authorize],
  ['/u/login', loginPage],
  ['/u/signup', signupPage],
  ['/u/consent', consentPage],
  ['/u/reset-password', resetPasswordPage],
  ['/u/unblock', unblockPage],
  ['/u/login-passwordless', loginPasswordlessPage],
  ['/u/mfa-enrollment', mfaEnrollmentPage],
  ['/u/mfa-challenge', mfaChallengePage],
  ['/passwordless/verify_redirect', verifyRedirect],
]);

export const handler = endpoint(
  async (request) => {
    const page = pages.get(request.event.resource);
    if (!page) throw notFound('Not found');
    return page(request);
  },
  { rateLimit: { buckets: [] }, errorFormat: 'html' },
);
