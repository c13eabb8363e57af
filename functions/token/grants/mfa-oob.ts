import { invalidGrant, invalidRequest, OAuthError } from '#shared/errors';
import { limitByKey } from '#shared/http/keyed-rate-limit';
import { answeringAuthenticators, confirmEnrolment } from '#shared/mfa/confirm-enrolment';
import { enabledFactors } from '#shared/mfa/policy';
import { withMfaAttempt } from '#shared/mfa/verify-otp';
import { listAuthenticators } from '#shared/store/authenticators';
import { redeemOobChallenge } from '#shared/store/oob-challenges';
import type { Grant } from './grant.ts';
import { issueAfterMfa, readMfaLogin } from './mfa-login.ts';

/**
 * `grant_type=http://auth0.com/oauth/grant-type/mfa-oob` (reference §3.8): `mfa_token`,
 * `oob_code` (from /mfa/challenge or /mfa/associate) and `binding_code` (the 6-digit code sent
 * by SMS or email; every challenge here has `binding_method: "prompt"`). Without a binding
 * code Auth0's poll answer, 403 `authorization_pending`. A wrong code is 403 invalid_grant
 * "Invalid binding_code." and uses up a token of the user's MFA failure bucket, which is spent
 * before the code is checked and given back unless it was wrong (the challenge itself dies
 * after 3). An oob_code that is unknown, used, expired or not this login's is 403
 * invalid_grant "Malformed oob_code" (the text Auth0 is seen to give for oob codes it cannot
 * read). Exchanges are limited to 12/min per mfa_token (§16.3 "per session"). The first right
 * code of an enrolment confirms it.
 */
const badOobCode = (detail: string) => invalidGrant('Malformed oob_code', { detail });

export const mfaOob: Grant = {
  allowsPublicClients: true,
  async handle(input) {
    const { tenant } = input.request;
    const login = await readMfaLogin(input);
    const oobCode = input.params.oob_code;
    if (!oobCode) throw invalidRequest('Missing required parameter: oob_code');
    await limitByKey(tenant, 'mfa_oob', login.claims.jti);
    const userId = login.user.user_id;
    const result = await withMfaAttempt(
      tenant,
      userId,
      () => redeemOobChallenge({ oobCode, bindingCode: input.params.binding_code, clientId: input.auth.client.client_id, userId }),
      // Only a wrong binding code uses the token up: a poll (pending) or a dead challenge checked no code.
      { failed: (r) => !r.ok && r.reason === 'wrong' },
    );
    if (!result.ok) {
      if (result.reason === 'pending') {
        throw new OAuthError(403, 'authorization_pending', 'Authorization pending: please repeat the request in a few seconds.');
      }
      if (result.reason === 'wrong') throw invalidGrant('Invalid binding_code.', { detail: 'wrong binding code' });
      throw badOobCode('unknown, used, expired or killed challenge');
    }
    // Only this login's user's challenge can be redeemed here (the store's condition): another
    // account's oob_code is "gone" and stays unspent.
    const { challenge } = result;
    if (!enabledFactors(tenant).includes(challenge.channel)) throw badOobCode(`factor ${challenge.channel} is disabled`);
    const all = await listAuthenticators(userId);
    const authenticator = answeringAuthenticators(all).find((a) => a.id === challenge.authenticator_id);
    if (!authenticator) throw badOobCode('the authenticator is gone or may not answer');
    if (!authenticator.active) await confirmEnrolment(userId, authenticator, all, { refused: () => badOobCode('the enrolment was withdrawn') });
    return issueAfterMfa(input, login);
  },
};
