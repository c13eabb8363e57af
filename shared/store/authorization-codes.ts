import { randomBytes } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { runtimeConfig } from '../config.ts';
import { sha256Base64Url } from '../crypto/digest.ts';
import { ddb, isConditionalCheckFailed } from './ddb.ts';

/**
 * Authorization codes (reference §3.2, §19) in the codes table under `code#<sha256(code)>`:
 * opaque, 256 random bits, valid 60 s (FAPI 2's cap). Redemption is ONE conditional update that
 * marks the code used and checks, in the same condition, that it is live, unused, of this
 * client, for this redirect_uri and this PKCE verifier: of two concurrent redemptions exactly
 * one wins. A used code is kept (a day), so a replay is recognised and what the code issued
 * can be revoked (RFC 6749 §4.1.2, RFC 9700 §4.5).
 */
export interface AuthorizationCodeGrant {
  readonly client_id: string;
  readonly redirect_uri: string;
  /** Whether /authorize had redirect_uri (then the token request must repeat it). */
  readonly redirect_uri_sent: boolean;
  /** S256 challenge, when PKCE was used. */
  readonly code_challenge?: string;
  readonly nonce?: string;
  readonly scopes: readonly string[];
  readonly audience?: string;
  readonly user_id: string;
  readonly sid: string;
  readonly auth_time: number;
  /** The session's authentication methods (`["mfa"]` after a second factor): the tokens' `amr`. */
  readonly amr?: readonly string[];
}

export const codeLifetimeSeconds = 60;
/** How long a redeemed code is remembered to recognise replays. */
const usedCodeMemorySeconds = 86_400;

const key = (code: string) => `code#${sha256Base64Url(code)}`;
const table = () => runtimeConfig().tables.codes;
const now = () => Math.floor(Date.now() / 1000);

export async function createAuthorizationCode(grant: AuthorizationCodeGrant, nowSeconds = now()): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  const { scopes, ...rest } = grant;
  await ddb().send(
    new PutCommand({
      TableName: table(),
      // Scopes as one string, so the raw item a failed condition returns is easy to read.
      Item: { pk: key(code), ...rest, scope: scopes.join(' '), created_at: nowSeconds, expiresAt: nowSeconds + codeLifetimeSeconds },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return code;
}

export interface RedeemInput {
  readonly clientId: string;
  /** redirect_uri of the token request, if it had one. */
  readonly redirectUri: string | undefined;
  /** The S256 challenge computed from the token request's code_verifier, if it had one. */
  readonly challenge: string | undefined;
}

export type RedeemResult =
  | { ok: true; grant: AuthorizationCodeGrant; codeKey: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'replayed' | 'client' | 'redirect_uri_missing' | 'redirect_uri' | 'pkce'; codeKey: string };

export async function redeemAuthorizationCode(code: string, input: RedeemInput, nowSeconds = now()): Promise<RedeemResult> {
  const codeKey = key(code);
  const values: Record<string, unknown> = { ':now': nowSeconds, ':keep': nowSeconds + usedCodeMemorySeconds, ':client': input.clientId };
  const conditions = ['attribute_exists(pk)', 'attribute_not_exists(used_at)', 'expiresAt > :now', 'client_id = :client'];
  if (input.redirectUri !== undefined) {
    conditions.push('redirect_uri = :redirect');
    values[':redirect'] = input.redirectUri;
  } else {
    conditions.push('redirect_uri_sent = :false');
    values[':false'] = false;
  }
  if (input.challenge !== undefined) {
    conditions.push('code_challenge = :challenge');
    values[':challenge'] = input.challenge;
  } else {
    conditions.push('attribute_not_exists(code_challenge)');
  }
  try {
    const out = await ddb().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: codeKey },
        UpdateExpression: 'SET used_at = :now, expiresAt = :keep',
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const item = out.Attributes as Record<string, unknown>;
    return { ok: true, grant: grantOf(item), codeKey };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // The SDK hands back the old item in DynamoDB's attribute-value form: say which check failed.
    const old = (error as { Item?: Record<string, RawAttribute> }).Item;
    return { ok: false, reason: whyRefused(old, input, nowSeconds), codeKey };
  }
}

type RawAttribute = { S?: string; N?: string; BOOL?: boolean };

function whyRefused(old: Record<string, RawAttribute> | undefined, input: RedeemInput, nowSeconds: number): Exclude<RedeemResult, { ok: true }>['reason'] {
  if (!old) return 'unknown';
  if (old.used_at) return 'replayed';
  if (!(Number(old.expiresAt?.N) > nowSeconds)) return 'expired';
  if (old.client_id?.S !== input.clientId) return 'client';
  if (input.redirectUri === undefined ? old.redirect_uri_sent?.BOOL !== false : old.redirect_uri?.S !== input.redirectUri) {
    return input.redirectUri === undefined ? 'redirect_uri_missing' : 'redirect_uri';
  }
  return 'pkce';
}

function grantOf(item: Record<string, unknown>): AuthorizationCodeGrant {
  const scope = typeof item.scope === 'string' ? item.scope : '';
  return {
    client_id: item.client_id as string,
    redirect_uri: item.redirect_uri as string,
    redirect_uri_sent: item.redirect_uri_sent === true,
    ...(typeof item.code_challenge === 'string' ? { code_challenge: item.code_challenge } : {}),
    ...(typeof item.nonce === 'string' ? { nonce: item.nonce } : {}),
    scopes: scope === '' ? [] : scope.split(' '),
    ...(typeof item.audience === 'string' ? { audience: item.audience } : {}),
    user_id: item.user_id as string,
    sid: item.sid as string,
    auth_time: Number(item.auth_time),
    ...(Array.isArray(item.amr) ? { amr: item.amr.filter((v): v is string => typeof v === 'string') } : {}),
  };
}

/**
 * Records the refresh-token family a redeemed code issued. Returns true if a replay of the code
 * was seen meanwhile: the caller must then revoke the family itself (the replay found none).
 */
export async function recordCodeRefreshFamily(codeKey: string, familyId: string): Promise<boolean> {
  const out = await ddb().send(
    new UpdateCommand({
      TableName: table(),
      Key: { pk: codeKey },
      UpdateExpression: 'SET refresh_family = :family',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':family': familyId },
      ReturnValues: 'ALL_NEW',
    }),
  ).catch((error: unknown) => {
    // Gone (TTL): nobody can replay it any more.
    if (isConditionalCheckFailed(error)) return { Attributes: undefined };
    throw error;
  });
  return out.Attributes?.replayed_at !== undefined;
}

/**
 * Marks a redeemed code as replayed and returns the refresh-token family it issued, if that is
 * recorded yet (if not, `recordCodeRefreshFamily` sees the mark and the redeemer revokes it).
 */
export async function markCodeReplayed(codeKey: string, nowSeconds = now()): Promise<string | undefined> {
  try {
    const out = await ddb().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: codeKey },
        UpdateExpression: 'SET replayed_at = :now',
        ConditionExpression: 'attribute_exists(used_at)',
        ExpressionAttributeValues: { ':now': nowSeconds },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const family = out.Attributes?.refresh_family;
    return typeof family === 'string' ? family : undefined;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}
