import { safeEqual } from '#shared/crypto/digest';
import { invalidGrant, invalidRequest } from '#shared/errors';
import { enabledFactors } from '#shared/mfa/policy';
import { newRecoveryCode, normalizeRecoveryCode, recoveryCodeDigest } from '#shared/mfa/recovery-codes';
import { withMfaAttempt } from '#shared/mfa/verify-otp';
import { listAuthenticators, replaceRecoveryCode } from '#shared/store/authenticators';
import type { Grant } from './grant.ts';
import { issueAfterMfa, readMfaLogin } from './mfa-login.ts';

/**
 * `grant_type=http://auth0.com/oauth/grant-type/mfa-recovery-code` (reference §3.8):
 * `mfa_token` + `recovery_code`. A right code is spent and replaced in one conditional write
 * (of two concurrent uses exactly one wins); the response carries the new `recovery_code`,
 * which the application must show to the user. Wrong: 403 invalid_grant "Invalid
 * recovery_code." (Auth0's text), using up a token of the user's MFA failure bucket (spent
 * before the code is looked at, given back when it was right: withMfaAttempt).
 */
const wrongCode = (detail: string) => invalidGrant('Invalid recovery_code.', { detail });

export const mfaRecoveryCode: Grant = {
  allowsPublicClients: true,
  async handle(input) {
    const { tenant } = input.request;
    const login = await readMfaLogin(input);
    const presented = input.params.recovery_code;
    if (!presented) throw invalidRequest('Missing required parameter: recovery_code');
    const userId = login.user.user_id;
    const fresh = newRecoveryCode();
    const outcome = await withMfaAttempt(tenant, userId, async () => {
      const normalized = normalizeRecoveryCode(presented);
      const digest = normalized === undefined ? undefined : recoveryCodeDigest(normalized);
      const codes = enabledFactors(tenant).includes('recovery-code')
        ? (await listAuthenticators(userId)).flatMap((a) => (a.kind === 'recovery-code' && a.active && a.code_digest ? [{ id: a.id, digest: a.code_digest }] : []))
        : [];
      const matched = digest === undefined ? undefined : codes.find((code) => safeEqual(code.digest, digest));
      if (!matched) return codes.length === 0 ? 'no active recovery code' : 'wrong code';
      const freshDigest = recoveryCodeDigest(normalizeRecoveryCode(fresh) ?? fresh);
      // Another request may have spent this code first: then it is a wrong code here.
      return (await replaceRecoveryCode(userId, matched.id, matched.digest, freshDigest)) ? 'replaced' : 'used concurrently';
    }, { failed: (r) => r !== 'replaced' });
    if (outcome !== 'replaced') throw wrongCode(outcome);
    return { ...(await issueAfterMfa(input, login)), recovery_code: fresh };
  },
};
