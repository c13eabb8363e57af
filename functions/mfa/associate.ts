import { authenticateClient } from '#shared/client-auth/authenticate';
import { invalidRequest, unauthorizedClient } from '#shared/errors';
import { assertOriginAllowed } from '#shared/http/cors';
import type { EndpointRequest } from '#shared/http/endpoint';
import { json, noStore } from '#shared/http/responses';
import type { ApiResult, Params } from '#shared/http/types';
import type { NewFactor } from '#shared/mfa/enrolment';
import { enabledFactors } from '#shared/mfa/policy';
import { otpauthUri } from '#shared/mfa/totp';
import type { UserRecord } from '#shared/store/users';
import { authenticateBearer } from './bearer-auth.ts';
import { listParam, parseMfaBody, stringParam, type Body } from './body.ts';
import { enrol } from './enroll.ts';
import { factorNotEnabled, insufficientScope, invalidToken } from './errors.ts';
import { sendOobCode } from './send-code.ts';

/**
 * `POST /mfa/associate` (reference §8.2): enrols a new authenticator for the bearer's user.
 * `authenticator_types: ["otp"]` answers the TOTP `secret` and its `barcode_uri`;
 * `["oob"]` with `oob_channels: ["sms"]` + `phone_number` or `["email"]` + `email` sends a
 * code and answers the `oob_code` (`binding_method: "prompt"`). The first enrolment adds
 * `recovery_codes`. Only factors the tenant enables (guardianFactors); voice and push
 * (`auth0`) are not offered. Confirmation happens at /oauth/token (mfa-otp / mfa-oob).
 */
const mfaOtpGrantType = 'http://auth0.com/oauth/grant-type/mfa-otp';
const mfaOobGrantType = 'http://auth0.com/oauth/grant-type/mfa-oob';
const e164 = /^\+[1-9][0-9]{6,14}$/;
// Deliberately loose (one @, a dot in the domain, no spaces): the code sent there is the real check.
const emailShape = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

export async function associateEndpoint(request: EndpointRequest): Promise<ApiResult> {
  const { event, tenant } = request;
  const body = parseMfaBody(event);
  const clientId = stringParam(body, 'client_id');
  if (clientId !== undefined && !tenant.clients.has(clientId)) throw invalidRequest('Unknown client_id');
  // Credentials are optional here (the bearer authenticates); when sent, they must be right.
  if (stringParam(body, 'client_secret') !== undefined || stringParam(body, 'client_assertion') !== undefined) {
    await authenticateClient(request, flatParams(body), { allowPublic: true });
  }
  const caller = await authenticateBearer(request, clientId);
  if (caller.kind === 'access_token' && !caller.scopes.includes('enroll')) throw insufficientScope('enroll');
  const callerClient = caller.clientId === undefined ? undefined : tenant.clients.get(caller.clientId);
  if (!callerClient) throw invalidToken('Invalid token', 'the token names no client of this tenant');
  assertOriginAllowed(event, callerClient, tenant);

  const enabled = enabledFactors(tenant);
  const factor = requestedFactor(body, caller.user);
  if (!enabled.includes(factor.kind)) throw factorNotEnabled(factor.kind);
  // Reference §8 prerequisite: "the MFA grant type enabled on the application" — the one that
  // will confirm this enrolment at /oauth/token (§8.2), as /mfa/challenge requires it for the
  // factor it challenges. The client is the bearer's: the mfa_token's client_id, or the
  // access token's azp / client_id. Checked before anything is stored or sent.
  const confirmingGrant = factor.kind === 'otp' ? mfaOtpGrantType : mfaOobGrantType;
  if (!callerClient.grant_types.includes(confirmingGrant)) throw unauthorizedClient(`Grant type '${confirmingGrant}' not allowed for the client.`);
  const enrolment = await enrol({
    userId: caller.user.user_id,
    factor,
    withMfaToken: caller.kind === 'mfa_token',
    recoveryCodes: enabled.includes('recovery-code'),
  });
  const recovery = enrolment.recoveryCode ? { recovery_codes: [enrolment.recoveryCode] } : {};

  if (factor.kind === 'otp') {
    const issuer = tenant.settings.friendly_name || new URL(request.context.issuer).hostname;
    const account = caller.user.email ?? caller.user.phone_number ?? caller.user.user_id;
    return json(
      200,
      { authenticator_type: 'otp', secret: enrolment.secret, barcode_uri: otpauthUri({ issuer, account, secret: enrolment.secret! }), ...recovery },
      noStore,
    );
  }
  const sent = await sendOobCode({ tenant, authenticator: enrolment.authenticator, clientId: callerClient.client_id, enrollment: true });
  return json(
    200,
    { authenticator_type: 'oob', binding_method: 'prompt', oob_channel: factor.kind, oob_code: sent.oobCode, ...recovery },
    { ...noStore, ...sent.rateHeaders },
  );
}

function requestedFactor(body: Body, user: UserRecord): NewFactor {
  const types = listParam(body, 'authenticator_types');
  if (!types || types.length === 0) throw invalidRequest('Missing required parameter: authenticator_types');
  if (types.length !== 1) throw invalidRequest('authenticator_types must name one type: ["otp"] or ["oob"]');
  const [type] = types;
  if (type === 'otp') return { kind: 'otp' };
  if (type !== 'oob') throw invalidRequest(`Unsupported authenticator type: ${type!.slice(0, 32)}`);
  const channels = listParam(body, 'oob_channels');
  if (!channels || channels.length === 0) throw invalidRequest('Missing required parameter: oob_channels');
  if (channels.length !== 1) throw invalidRequest('oob_channels must name one channel');
  const [channel] = channels;
  if (channel === 'sms') {
    const phone = stringParam(body, 'phone_number');
    if (!phone) throw invalidRequest('Missing required parameter: phone_number');
    if (!e164.test(phone)) throw invalidRequest('phone_number must be in E.164 format (e.g. +14155550100)');
    return { kind: 'sms', phoneNumber: phone };
  }
  if (channel === 'email') {
    // Auth0 enrols the given address; without one, the user's own.
    const email = stringParam(body, 'email') ?? user.email;
    if (!email) throw invalidRequest('Missing required parameter: email');
    if (email.length > 254 || !emailShape.test(email)) throw invalidRequest('email is not a valid email address');
    return { kind: 'email', email };
  }
  if (channel === 'voice' || channel === 'auth0') throw factorNotEnabled(channel === 'auth0' ? 'push-notification' : 'voice');
  throw invalidRequest(`Unsupported oob channel: ${channel!.slice(0, 32)}`);
}

/** The string members, as client authentication reads them. */
function flatParams(body: Body): Params {
  const params: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(body)) if (typeof value === 'string' && value !== '') params[key] = value;
  return params;
}
