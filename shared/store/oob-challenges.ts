/**
 * STUB (owner: helper C). MFA out-of-band challenges (SMS and email codes) in the codes table
 * under `oob#<sha256(oob_code)>` for 5 minutes: the user, the authenticator, the client, and
 * the keyed digest of the 6-digit binding code sent to the user. Redeemed by one conditional
 * delete; wrong binding codes count attempts (3 kill it).
 */
export interface OobChallenge {
  readonly user_id: string;
  readonly authenticator_id: string;
  readonly client_id: string;
  readonly channel: 'sms' | 'email';
  /** Whether answering it confirms the authenticator's enrolment. */
  readonly enrollment: boolean;
}

/** Creates a challenge; returns the `oob_code` for the client and the binding code to send. */
export async function createOobChallenge(_challenge: OobChallenge, _nowMs?: number): Promise<{ oobCode: string; bindingCode: string }> {
  throw new Error('TODO(helper C): createOobChallenge');
}

export type OobRedeemResult =
  | { readonly ok: true; readonly challenge: OobChallenge }
  | { readonly ok: false; readonly reason: 'wrong' | 'gone' | 'pending' };

/**
 * Answers a challenge with the binding code: `ok` for the one right answer; `wrong` counts an
 * attempt; `pending` when no binding code was given (Auth0's authorization_pending);
 * `gone` when expired, used, killed, or not this client's.
 */
export async function redeemOobChallenge(_input: { oobCode: string; bindingCode: string | undefined; clientId: string; nowMs?: number }): Promise<OobRedeemResult> {
  throw new Error('TODO(helper C): redeemOobChallenge');
}
