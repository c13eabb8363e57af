import { invalidRequest } from '../errors.ts';
import type { ParsedCertificate } from '../client-auth/certificate.ts';
import type { ClientRecord, ResourceServerRecord } from '../tenant/model.ts';

/**
 * Whether a token is certificate-bound (RFC 8705 §3), following Auth0's issuance matrix
 * (reference §17): a client that requires proof of possession, or an API that does, gets
 * nothing without a certificate; a client that requires it cannot get a token for an API
 * without a PoP policy; a certificate binds the token only for APIs with a PoP policy.
 *
 * @returns the `x5t#S256` to put in `cnf`, or undefined for an unbound token.
 */
export function certificateBinding(
  client: ClientRecord,
  api: ResourceServerRecord,
  certificate: ParsedCertificate | undefined,
): string | undefined {
  const apiPolicy = api.proof_of_possession;
  if (client.require_proof_of_possession && !apiPolicy) {
    throw invalidRequest(`The client requires proof of possession, which the API "${api.identifier}" does not support`);
  }
  if (!certificate) {
    if (client.require_proof_of_possession) {
      throw invalidRequest('The client requires proof of possession: present a client certificate (mTLS)');
    }
    if (apiPolicy?.required) {
      throw invalidRequest(`The API "${api.identifier}" requires proof of possession: present a client certificate (mTLS)`);
    }
    return undefined;
  }
  return apiPolicy ? certificate.thumbprint : undefined;
}

/**
 * The binding of a user login's access token (every user grant and /authorize go through
 * issueUserTokens, so none can forget it): the API's policy as above, or for the opaque
 * /userinfo token, the presented certificate — and a client that requires proof of possession
 * gets nothing without one.
 */
export function userTokenBinding(
  client: ClientRecord,
  api: ResourceServerRecord | undefined,
  certificate: ParsedCertificate | undefined,
): string | undefined {
  if (api) return certificateBinding(client, api, certificate);
  if (!certificate && client.require_proof_of_possession) {
    throw invalidRequest('The client requires proof of possession: present a client certificate (mTLS)');
  }
  return certificate?.thumbprint;
}
