import type { PasswordlessConnection } from '../connections/passwordless.ts';
import type { TenantConfig } from '../tenant/model.ts';
import type { SmsMessage } from './send.ts';

/** STUB (owner: helper A). The SMS Portcullis sends, with tenant overrides (connection `options.template`, `guardianFactorTemplates`). */
export function passwordlessSms(_input: { to: string; tenant: TenantConfig; applicationName: string; connection: PasswordlessConnection; code: string }): SmsMessage {
  throw new Error('TODO(helper A): passwordlessSms');
}

/** An MFA code by SMS (`enrollment` picks guardianFactorTemplates' enrollment_message over verification_message). */
export function mfaSms(_input: { to: string; tenant: TenantConfig; code: string; enrollment: boolean }): SmsMessage {
  throw new Error('TODO(helper A): mfaSms');
}
