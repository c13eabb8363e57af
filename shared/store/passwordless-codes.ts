/**
 * STUB (owner: helper A). Passwordless codes in the codes table, one item per connection and
 * identity (so a new /passwordless/start replaces the previous code: only the latest is
 * valid), holding the code's keyed digest (shared/crypto/code-digest.ts), the client it was
 * sent for, the attempts so far and `expiresAt`. Three wrong attempts kill it; the right
 * code is redeemed by one conditional delete (one winner).
 */
export interface IssueCodeInput {
  readonly connection: string;
  /** Lower-cased email, or the E.164 phone number. */
  readonly identifier: string;
  readonly clientId: string;
  readonly lifetimeSeconds: number;
  readonly length: number;
  /** For magic links: the authorize parameters the link carries are not stored; nothing else is needed. */
  readonly now?: number;
}

export type VerifyCodeResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'wrong' | 'gone' };

/** Stores a new code for the identity (replacing any earlier one) and returns it, to be sent. */
export async function issuePasswordlessCode(_input: IssueCodeInput): Promise<string> {
  throw new Error('TODO(helper A): issuePasswordlessCode');
}

/**
 * Checks `code` for the identity and client: `ok` redeems it (of concurrent right answers one
 * wins); `wrong` counts an attempt (the third kills the code); `gone` when there is no live code.
 */
export async function verifyPasswordlessCode(_input: { connection: string; identifier: string; clientId: string; code: string; now?: number }): Promise<VerifyCodeResult> {
  throw new Error('TODO(helper A): verifyPasswordlessCode');
}
