/**
 * STUB (owner: helper C — MFA core). TOTP (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits, the
 * parameters every authenticator app assumes) over RFC 4226 HOTP, with base32 secrets (RFC 4648).
 */
export const totpPeriodSeconds = 30;

/** A new random secret (160 bits, RFC 4226 §4), base32 without padding. */
export function newTotpSecret(): string {
  throw new Error('TODO(helper C): newTotpSecret');
}

/** The code of `step` (RFC 6238 T) for a base32 secret. */
export function totpCode(_secretBase32: string, _step: number): string {
  throw new Error('TODO(helper C): totpCode');
}

export const totpStep = (nowMs: number) => Math.floor(nowMs / 1000 / totpPeriodSeconds);

/** The step within ±`window` of now whose code equals `code` (constant-time compares), or undefined. */
export function matchingTotpStep(_secretBase32: string, _code: string, _nowMs: number, _window = 1): number | undefined {
  throw new Error('TODO(helper C): matchingTotpStep');
}

/** `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30` (Auth0's barcode_uri). */
export function otpauthUri(_input: { issuer: string; account: string; secret: string }): string {
  throw new Error('TODO(helper C): otpauthUri');
}
