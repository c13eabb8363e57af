import type { AuthenticatorRecord } from '#shared/store/authenticators';

/**
 * An authenticator as `GET /mfa/authenticators` shows it (reference §8.3):
 * `{id, authenticator_type, active}` plus, for out-of-band ones, `oob_channel` and a `name`
 * (the phone number masked to its last four digits, as Auth0's `XXXXXXXX8730`; the email).
 * Secrets, digests and TOTP steps never leave the store.
 */
export interface AuthenticatorView {
  readonly id: string;
  readonly authenticator_type: 'otp' | 'oob' | 'recovery-code';
  readonly active: boolean;
  readonly oob_channel?: 'sms' | 'email';
  readonly name?: string;
}

export function maskPhone(e164: string): string {
  const digits = e164.replace(/^\+/, '');
  return 'X'.repeat(Math.max(digits.length - 4, 0)) + digits.slice(-4);
}

export function authenticatorView(record: AuthenticatorRecord): AuthenticatorView {
  const base = { id: record.id, active: record.active };
  switch (record.kind) {
    case 'otp':
      return { ...base, authenticator_type: 'otp' };
    case 'recovery-code':
      return { ...base, authenticator_type: 'recovery-code' };
    case 'sms':
      return { ...base, authenticator_type: 'oob', oob_channel: 'sms', ...(record.phone_number ? { name: maskPhone(record.phone_number) } : {}) };
    case 'email':
      return { ...base, authenticator_type: 'oob', oob_channel: 'email', ...(record.email ? { name: record.email } : {}) };
  }
}

/** Auth0 lists recovery codes first, then the factors in enrolment order. */
export function listOrder(a: AuthenticatorRecord, b: AuthenticatorRecord): number {
  const rank = (r: AuthenticatorRecord) => (r.kind === 'recovery-code' ? 0 : 1);
  return rank(a) - rank(b) || a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id);
}
