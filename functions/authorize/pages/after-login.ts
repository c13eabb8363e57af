import type { ApiResult } from '#shared/http/types';
import type { UserRecord } from '#shared/store/users';
import type { PageContext } from './forms.ts';
import { logIn } from './log-in.ts';

/**
 * STUB (owner: helper F — hosted MFA pages). What every hosted first factor (password,
 * passwordless code, magic link) calls once it passed: when the tenant's MFA policy applies,
 * the browser goes on to MFA enrolment or a challenge for this transaction, and the session
 * is made only once the second factor passed (with `amr: ["mfa"]`); otherwise logIn now.
 */
export async function afterFirstFactor(page: PageContext, user: UserRecord, connection: string): Promise<ApiResult> {
  return logIn(page, user, connection);
}
