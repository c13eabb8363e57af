import { isEnrolled } from '#shared/mfa/enrolled';
import { enabledFactors } from '#shared/mfa/policy';
import { mfaTokenLifetimeSeconds } from '#shared/mfa/mfa-token';
import { listAuthenticators, type AuthenticatorKind, type AuthenticatorRecord } from '#shared/store/authenticators';
import { getUser, type UserRecord } from '#shared/store/users';
import type { TenantConfig } from '#shared/tenant/model';
import { pageError, type PageContext } from './forms.ts';

/**
 * The login the MFA pages finish: the user whose first factor passed for this transaction
 * (recorded on it by afterFirstFactor, so bound to this browser — never a form field), for as
 * long as an `mfa_token` would live (10 minutes, reference §8): after that, log in again.
 */
export interface PendingLogin {
  readonly user: UserRecord;
  readonly connection: string;
}

const noPendingLogin = () =>
  pageError(400, 'invalid_request', 'There is no login waiting for a second factor here, or it has expired. Go back to the application and log in again.');

export async function pendingLogin(page: PageContext, nowSeconds = Math.floor(Date.now() / 1000)): Promise<PendingLogin> {
  const factor = page.transaction.first_factor;
  if (!factor || nowSeconds - factor.at > mfaTokenLifetimeSeconds) throw noPendingLogin();
  const user = await getUser(factor.user_id);
  if (!user) throw noPendingLogin();
  if (user.blocked) throw pageError(401, 'unauthorized', 'user is blocked');
  return { user, connection: factor.connection };
}

/**
 * Whether the user counts as enrolled (shared/mfa/enrolled.ts): a confirmed factor of any
 * kind, even one the tenant disabled — then the challenge page, never the enrolment page,
 * as /mfa/associate refuses an mfa_token enrolment for them.
 */
export async function userIsEnrolled(userId: string): Promise<boolean> {
  return isEnrolled(await listAuthenticators(userId));
}

/** The second factors a user can be challenged with: active, of a kind the tenant still enables. */
export async function usableAuthenticators(tenant: TenantConfig, userId: string): Promise<AuthenticatorRecord[]> {
  const enabled = new Set<AuthenticatorKind>(enabledFactors(tenant));
  return (await listAuthenticators(userId)).filter((a) => a.active && enabled.has(a.kind));
}

/** The factors a user may enrol on the page: the enabled ones but recovery codes (issued with the first enrolment). */
export function enrollableFactors(tenant: TenantConfig, user: UserRecord): Exclude<AuthenticatorKind, 'recovery-code'>[] {
  return enabledFactors(tenant).filter(
    (f): f is Exclude<AuthenticatorKind, 'recovery-code'> => f !== 'recovery-code' && (f !== 'email' || typeof user.email === 'string'),
  );
}

/** 303: the browser asks for the next page with GET, whatever method brought it here. */
export function seeOther(location: string) {
  return { statusCode: 303, headers: { Location: location, 'Cache-Control': 'no-store' }, body: '' };
}
