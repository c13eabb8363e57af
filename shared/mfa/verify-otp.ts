import { openSecret, sealSecret } from '../crypto/secret-box.ts';
import { OAuthError } from '../errors.ts';
import { claimTotpStep, type AuthenticatorRecord } from '../store/authenticators.ts';
import { counterKey, refundToken, spendToken, type ExactBucket } from '../store/attack-counters.ts';
import type { TenantConfig } from '../tenant/model.ts';
import { matchingTotpStep } from './totp.ts';

/**
 * One-time-code checks of the second factor. A TOTP code is accepted within ±1 step (RFC 6238
 * §5.2), once: the step it matched is claimed with a conditional write, so a code seen by an
 * onlooker, or sent twice at once, works only the first time. Every wrong MFA code (TOTP, SMS,
 * email, recovery code) spends one token of the user's failure bucket — Auth0's "failed
 * validations limited by a bucket of 10 refilled 1 per 6 min" (reference §3.8, §16.3) — and
 * an empty bucket refuses further codes, right or wrong, with 429 `too_many_attempts`.
 * Every check goes through withMfaAttempt: the token is spent before the code is looked at and
 * given back when it was right, so no more than 10 codes are ever checked, however many arrive
 * at once.
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
 * authenticators: ±1 step, a step already used is refused (claimTotpStep), every attempt goes
 * through withMfaAttempt (an empty bucket: 429 `too_many_attempts`, also for a right code).
 * Returns the authenticator that matched, or undefined for a wrong, reused or malformed code.
 */
export async function verifyTotp(input: {
  tenant: TenantConfig;
  userId: string;
  candidates: readonly AuthenticatorRecord[];
  code: string;
  nowMs?: number;
}): Promise<AuthenticatorRecord | undefined> {
  const nowMs = input.nowMs ?? Date.now();
  return withMfaAttempt(input.tenant, input.userId, () => matchTotp(input, nowMs), { nowMs });
}

async function matchTotp(input: { userId: string; candidates: readonly AuthenticatorRecord[]; code: string }, nowMs: number): Promise<AuthenticatorRecord | undefined> {
  // Authenticator apps often show "123 456"; people paste it so.
  const code = typeof input.code === 'string' ? input.code.replace(/\s+/g, '') : '';
  if (!/^[0-9]{6}$/.test(code)) return undefined;
  for (const candidate of input.candidates) {
    if (candidate.kind !== 'otp' || candidate.user_id !== input.userId || !candidate.secret_sealed) continue;
    const step = matchingTotpStep(await openTotpSecret(candidate), code, nowMs);
    if (step === undefined) continue;
    // A replayed step is a wrong code: it counts, and the next candidate may still match.
    if (await claimTotpStep(input.userId, candidate.id, step)) return candidate;
  }
  return undefined;
}

const bucketKey = (userId: string) => counterKey('mfa-failures', userId);

/**
 * Runs one MFA code check (TOTP, SMS/email binding code, recovery code) against the user's
 * failure bucket. One token is spent BEFORE the check, by a conditional write, so of any
 * number of concurrent attempts at most `burst` (10) reach a code; an empty bucket throws 429
 * `too_many_attempts` without checking anything. When the attempt did not fail (`failed`
 * says; by default a result of undefined or false is a failure) the token is given back: only
 * wrong codes use up the budget. A check that throws keeps its token (its outcome is unknown).
 */
export async function withMfaAttempt<T>(
  _tenant: TenantConfig,
  userId: string,
  check: () => Promise<T>,
  options: { failed?: (result: T) => boolean; nowMs?: number } = {},
): Promise<T> {
  const nowMs = options.nowMs ?? Date.now();
  const key = bucketKey(userId);
  const { spent, state } = await spendToken(key, mfaFailureBucket, { now: nowMs });
  if (!spent) throw tooManyMfaFailures(state.retryAfter);
  const result = await check();
  const failed = options.failed ? options.failed(result) : result === undefined || result === false;
  if (!failed) await refundToken(key, mfaFailureBucket, { now: nowMs });
  return result;
}
