import { invalidGrant, invalidRequest } from '#shared/errors';
import { answeringAuthenticators, confirmEnrolment } from '#shared/mfa/confirm-enrolment';
import { enabledFactors } from '#shared/mfa/policy';
import { verifyTotp } from '#shared/mfa/verify-otp';
import { listAuthenticators } from '#shared/store/authenticators';
import type { Grant } from './grant.ts';
import { issueAfterMfa, readMfaLogin } from './mfa-login.ts';

/**
 * `grant_type=http://auth0.com/oauth/grant-type/mfa-otp` (reference §3.8): `mfa_token` + `otp`,
 * a TOTP code of the user's authenticator app (±1 step, a step once used is refused, failures
 * spend the user's MFA failure bucket: verifyTotp). The first right code of a pending
 * enrolment confirms it (§8.2; which pending ones may answer: answeringAuthenticators). Wrong: 403 invalid_grant "Invalid otp_code." (Auth0's text,
 * which its SDKs match on).
 */
export const mfaOtp: Grant = {
  allowsPublicClients: true,
  async handle(input) {
    const otp = input.params.otp;
    const login = await readMfaLogin(input);
    if (!otp) throw invalidRequest('Missing required parameter: otp');
    const { tenant } = input.request;
    const userId = login.user.user_id;
    // verifyTotp spends a token of the user's failure bucket before it checks (empty: 429, right
    // code or not) and gives it back when the code is right.
    const all = await listAuthenticators(userId);
    // A factor the tenant switched off no longer answers.
    const candidates = enabledFactors(tenant).includes('otp') ? answeringAuthenticators(all).filter((a) => a.kind === 'otp') : [];
    const matched = await verifyTotp({ tenant, userId, candidates, code: otp });
    if (!matched) throw invalidGrant('Invalid otp_code.', { detail: candidates.length === 0 ? 'no otp authenticator' : 'wrong or reused code' });
    // A pending enrolment replaced or deleted since it was read confirms nothing.
    if (!matched.active) await confirmEnrolment(userId, matched, all, { refused: () => invalidGrant('Invalid otp_code.', { detail: 'the enrolment was withdrawn' }) });
    return issueAfterMfa(input, login);
  },
};
