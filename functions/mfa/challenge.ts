import { authenticateClient } from '#shared/client-auth/authenticate';
import { invalidRequest, unauthorizedClient } from '#shared/errors';
import { parseBody } from '#shared/http/body';
import { assertOriginAllowed } from '#shared/http/cors';
import type { EndpointRequest } from '#shared/http/endpoint';
import { json, noStore } from '#shared/http/responses';
import type { ApiResult } from '#shared/http/types';
import { readMfaToken } from '#shared/mfa/mfa-token';
import { isEnrolled } from '#shared/mfa/enrolled';
import { enabledFactors } from '#shared/mfa/policy';
import { listAuthenticators, type AuthenticatorRecord } from '#shared/store/authenticators';
import { getUser } from '#shared/store/users';
import type { MfaFactorName } from '#shared/tenant/model';
import { listOrder } from './authenticator-view.ts';
import { associationRequired, unsupportedChallengeType } from './errors.ts';
import { sendOobCode } from './send-code.ts';

/**
 * `POST /mfa/challenge` (reference §8.1): the client (authenticated as at the token endpoint,
 * §1.3) asks to challenge the user of an `mfa_token` with one of their active authenticators:
 * `authenticator_id` picks one, else the first whose type is among `challenge_type`
 * (`otp`, `oob`, or both space-separated; both when omitted). OTP needs no challenge and
 * answers `{"challenge_type":"otp"}`; SMS and email send a code and answer the `oob_code`
 * with `binding_method: "prompt"` for the mfa-oob grant.
 */
const grantFor = { otp: 'http://auth0.com/oauth/grant-type/mfa-otp', oob: 'http://auth0.com/oauth/grant-type/mfa-oob' } as const;
type ChallengeType = keyof typeof grantFor;

const challengeTypeOf = (a: AuthenticatorRecord): ChallengeType | undefined => (a.kind === 'otp' ? 'otp' : a.kind === 'sms' || a.kind === 'email' ? 'oob' : undefined);

export async function challengeEndpoint(request: EndpointRequest): Promise<ApiResult> {
  const { event, tenant, context } = request;
  const params = parseBody(event);
  const { client } = await authenticateClient(request, params, { allowPublic: true });
  assertOriginAllowed(event, client, tenant);
  if (params.mfa_token === undefined) throw invalidRequest('Missing required parameter: mfa_token');
  const wanted = challengeTypes(params.challenge_type);
  const claims = await readMfaToken(params.mfa_token, { issuer: context.issuer, clientId: client.client_id });
  const user = await getUser(claims.sub);
  if (!user || user.blocked) throw invalidRequest('The user of this mfa_token cannot log in', { detail: user ? 'blocked' : 'gone' });

  // Factors the tenant has since disabled cannot be used; recovery codes have their own grant.
  const enabled = new Set<MfaFactorName>(enabledFactors(tenant));
  const all = await listAuthenticators(user.user_id);
  const usable = all.filter((a) => a.active && a.kind !== 'recovery-code' && enabled.has(a.kind)).sort(listOrder);
  // Enrolled only with factors the tenant has disabled: not "enrol first" (/mfa/associate would
  // refuse it, shared/mfa/enrolled.ts) but nothing to challenge.
  if (usable.length === 0 && isEnrolled(all)) throw unsupportedChallengeType('User does not have any authenticator for the enabled factors.');
  if (usable.length === 0) throw associationRequired();

  let target: AuthenticatorRecord | undefined;
  if (params.authenticator_id !== undefined) {
    target = usable.find((a) => a.id === params.authenticator_id);
    if (!target) throw invalidRequest('authenticator_id does not name an active authenticator of this user');
    if (!wanted.has(challengeTypeOf(target)!)) throw unsupportedChallengeType(`The authenticator does not support the challenge type ${[...wanted].join(' ')}.`);
  } else {
    target = usable.find((a) => wanted.has(challengeTypeOf(a)!));
    if (!target) throw unsupportedChallengeType('User does not have any authenticator for the requested challenge type.');
  }
  const type = challengeTypeOf(target)!;
  if (!client.grant_types.includes(grantFor[type])) throw unauthorizedClient(`Grant type '${grantFor[type]}' not allowed for the client.`);

  if (type === 'otp') return json(200, { challenge_type: 'otp' }, noStore);
  const sent = await sendOobCode({ tenant, authenticator: target, clientId: client.client_id, enrollment: false });
  return json(200, { challenge_type: 'oob', oob_code: sent.oobCode, binding_method: 'prompt' }, { ...noStore, ...sent.rateHeaders });
}

function challengeTypes(value: string | undefined): Set<ChallengeType> {
  if (value === undefined) return new Set(['otp', 'oob']);
  const types = value.split(' ').filter((t) => t !== '');
  const unknown = types.find((t) => t !== 'otp' && t !== 'oob');
  if (unknown !== undefined) throw unsupportedChallengeType(`Unsupported challenge type: ${unknown.slice(0, 32)}`);
  if (types.length === 0) throw unsupportedChallengeType('challenge_type must be otp, oob or both');
  return new Set(types as ChallengeType[]);
}
