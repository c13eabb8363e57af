import { openSecret, sealSecret } from '../crypto/secret-box.ts';
import { OAuthError } from '../errors.ts';
import { claimTotpStep, type AuthenticatorRecord } from '../store/authenticators.ts';
import { counterKey, peekBucket, spendToken, type ExactBucket } from '../store/attack-counters.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { matchingTotpStep } from './totp.ts';

/**
 * One-time-code checks of the second factor. A TOTP code is accepted within ±1 step (RFC 6238
 * §5.2), once: the step it matched is claimed with a conditional write, so a code seen by an
 * onlooker, or sent twice at once, works only the first time. Every wrong MFA code (TOTP, SMS,
 * email, recovery code) spends one token of the user's failure bucket — Auth0's "failed
 * validations limited by a bucket of 10 refilled 1 per 6 min" (reference §3.8, §16.3) — and
 * an empty bucket refuses further codes, right or wrong, with 429 `too_many_attempts`.
 */
export const mfaFailureBucket: ExactBucket = { burst: 10, intervalMs: 6 * 60_000 };

/** Auth0's text for an exhausted MFA OTP bucket (its Universal Login says the same). */
export const tooManyMfaFailures = (retryAfterSeconds?: number) =>
  new OAuthError(429, 'too_many_attempts', 'Too many failed codes. Wait for some minutes before retrying.', {
    headers: retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : {},
  });

/** The secret-box context of a TOTP seed: a sealed seed opens only for its user and authenticator. */
export const totpSecretContext = (userId: string, authenticatorId: string) => ({ user_id: userId, authenticator_id: authenticatorId });

/** Seals a new TOTP seed for AuthenticatorRecord.secret_sealed. */
export function sealTotpSecret(userId: string, authenticatorId: string, secretBase32: string): Promise<string> {
  return sealSecret(secretBase32, totpSecretContext(userId, authenticatorId));
}

/** The base32 seed of an otp authenticator. */
export function openTotpSecret(record: AuthenticatorRecord): Promise<string> {
  if (!record.secret_sealed) throw new Error(`verify-otp: authenticator ${record.id} has no sealed secret`);
  return openSecret(record.secret_sealed, totpSecretContext(record.user_id, record.id));
}

/**
 * Checks a TOTP code against the user's (active, or the one being enrolled) otp
 * authenticators: ±1 step, a step already used is refused (claimTotpStep), failures spend the
 * user's MFA failure bucket (when empty: 429 `too_many_attempts`, also for a right code).
 * Returns the authenticator that matched, or undefined for a wrong code.
 */
export async function verifyTotp(input: {
  tenant: TenantConfig;
  userId: string;
  candidates: readonly AuthenticatorRecord[];
  code: string;
  nowMs?: number;
}): Promise<AuthenticatorRecord | undefined> {
  const nowMs = input.nowMs ?? Date.now();
  await assertMfaAttemptsLeft(input.tenant, input.userId, nowMs);
  // Authenticator apps often show "123 456"; people paste it so.
  const code = typeof input.code === 'string' ? input.code.replace(/\s+/g, '') : '';
  if (/^[0-9]{6}$/.test(code)) {
    for (const candidate of input.candidates) {
      if (candidate.kind !== 'otp' || candidate.user_id !== input.userId || !candidate.secret_sealed) continue;
      const step = matchingTotpStep(await openTotpSecret(candidate), code, nowMs);
      if (step === undefined) continue;
      // A replayed step is a wrong code: it counts, and the next candidate may still match.
      if (await claimTotpStep(input.userId, candidate.id, step)) return candidate;
    }
  }
  await recordMfaFailure(input.tenant, input.userId, nowMs);
  return undefined;
}

const bucketKey = (userId: string) => counterKey('mfa-failures', userId);

/** Spends one failure from the user's MFA failure bucket; throws 429 too_many_attempts when it is empty. Used by every MFA code check. */
export async function recordMfaFailure(_tenant: TenantConfig, userId: string, nowMs = Date.now()): Promise<void> {
  const { spent, state } = await spendToken(bucketKey(userId), mfaFailureBucket, { now: nowMs });
  if (!spent) throw tooManyMfaFailures(state.retryAfter);
}

/** Throws 429 too_many_attempts if the user's MFA failure bucket is empty (checked before any code). */
export async function assertMfaAttemptsLeft(_tenant: TenantConfig, userId: string, nowMs = Date.now()): Promise<void> {
  const state = await peekBucket(bucketKey(userId), mfaFailureBucket, { now: nowMs });
  if (!state.available) throw tooManyMfaFailures(state.retryAfter);
}
