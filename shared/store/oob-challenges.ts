import { randomBytes, randomInt } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import { codeMatchesDigest, digestCode } from '../crypto/code-digest.ts';
import { sha256Base64Url } from '../crypto/digest.ts';
import { ddb, isConditionalCheckFailed } from './ddb.ts';

/**
 * MFA out-of-band challenges (SMS and email codes) in the codes table under
 * `oob#<sha256(oob_code)>` for 5 minutes (reference §3.8: OTP codes live 5 min, single use):
 * the user, the authenticator, the client, and the keyed digest of the 6-digit binding code
 * sent to the user (shared/crypto/code-digest.ts: a plain hash of 6 digits is reversed by
 * trying them all). Redeemed by one conditional delete; wrong binding codes count attempts
 * (3 kill it), each one atomic increment so concurrent guesses cannot get more than 3 tries.
 */
export interface OobChallenge {
  readonly user_id: string;
  readonly authenticator_id: string;
  readonly client_id: string;
  readonly channel: 'sms' | 'email';
  /** Whether answering it confirms the authenticator's enrolment. */
  readonly enrollment: boolean;
}

export interface OobChallengeOptions {
  /** The MAC key of the binding code digests, for tests (default: the configured one, shared/crypto/code-digest.ts). */
  readonly macKey?: Uint8Array;
}

export const oobChallengeLifetimeSeconds = 300;
export const oobChallengeMaxAttempts = 3;
const digestPurpose = 'mfa-oob-binding';

const table = () => runtimeConfig().tables.codes;
const keyOf = (oobCode: string) => ({ pk: `oob#${sha256Base64Url(oobCode)}` });
const seconds = (ms: number) => Math.floor(ms / 1000);

/** Creates a challenge; returns the `oob_code` for the client (256 random bits) and the binding code to send. */
export async function createOobChallenge(challenge: OobChallenge, nowMs = Date.now(), options: OobChallengeOptions = {}): Promise<{ oobCode: string; bindingCode: string }> {
  const oobCode = randomBytes(32).toString('base64url');
  const bindingCode = randomInt(0, 1_000_000).toString().padStart(6, '0');
  await ddb().send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...keyOf(oobCode),
        kind: 'oob',
        user_id: challenge.user_id,
        authenticator_id: challenge.authenticator_id,
        client_id: challenge.client_id,
        channel: challenge.channel,
        enrollment: challenge.enrollment,
        binding_digest: await digestCode(digestPurpose, bindingCode, options.macKey),
        attempts: 0,
        expiresAt: seconds(nowMs) + oobChallengeLifetimeSeconds,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { oobCode, bindingCode };
}

export type OobRedeemResult =
  | { readonly ok: true; readonly challenge: OobChallenge }
  | { readonly ok: false; readonly reason: 'wrong' | 'gone' | 'pending' };

interface StoredChallenge extends OobChallenge {
  readonly binding_digest: string;
  readonly attempts: number;
  readonly expiresAt: number;
}

/**
 * Answers a challenge with the binding code: `ok` for the one right answer; `wrong` counts an
 * attempt; `pending` when no binding code was given (Auth0's authorization_pending);
 * `gone` when expired, used, killed, or not this client's or not this user's. The client and
 * the user are in every write's condition, so someone else's oob_code is neither consumed
 * nor charged an attempt.
 */
export async function redeemOobChallenge(
  input: { oobCode: string; bindingCode: string | undefined; clientId: string; userId: string; nowMs?: number },
  options: OobChallengeOptions = {},
): Promise<OobRedeemResult> {
  const nowSec = seconds(input.nowMs ?? Date.now());
  if (typeof input.oobCode !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(input.oobCode)) return gone;
  const out = await ddb().send(new GetCommand({ TableName: table(), Key: keyOf(input.oobCode), ConsistentRead: true }));
  const item = out.Item as StoredChallenge | undefined;
  if (!item || !(item.expiresAt > nowSec) || !(item.attempts < oobChallengeMaxAttempts) || item.client_id !== input.clientId || item.user_id !== input.userId) return gone;
  if (input.bindingCode === undefined || input.bindingCode === '') return { ok: false, reason: 'pending' };

  const right = typeof input.bindingCode === 'string' && input.bindingCode.length <= 32 && (await codeMatchesDigest(digestPurpose, input.bindingCode, item.binding_digest, options.macKey));
  const values = { ':now': nowSec, ':max': oobChallengeMaxAttempts, ':client': input.clientId, ':user': input.userId };
  if (!right) {
    try {
      await ddb().send(
        new UpdateCommand({
          TableName: table(),
          Key: keyOf(input.oobCode),
          UpdateExpression: 'SET attempts = attempts + :one',
          ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now AND attempts < :max AND client_id = :client AND user_id = :user',
          ExpressionAttributeValues: { ...values, ':one': 1 },
        }),
      );
      return { ok: false, reason: 'wrong' };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return gone;
      throw error;
    }
  }
  try {
    // The delete is the redemption: of N concurrent right answers exactly one deletes it. The
    // attempt count is re-checked here, so a challenge killed meanwhile stays dead.
    const deleted = await ddb().send(
      new DeleteCommand({
        TableName: table(),
        Key: keyOf(input.oobCode),
        ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now AND attempts < :max AND client_id = :client AND user_id = :user',
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_OLD',
      }),
    );
    const old = deleted.Attributes as StoredChallenge | undefined;
    if (!old) return gone;
    return {
      ok: true,
      challenge: { user_id: old.user_id, authenticator_id: old.authenticator_id, client_id: old.client_id, channel: old.channel, enrollment: old.enrollment },
    };
  } catch (error) {
    if (isConditionalCheckFailed(error)) return gone;
    throw error;
  }
}

const gone: OobRedeemResult = { ok: false, reason: 'gone' };
