import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ParsedCertificate } from '../../../../shared/client-auth/certificate.ts';
import { OAuthError } from '../../../../shared/errors.ts';
import { clientDefaults, type ClientRecord, type ResourceServerRecord } from '../../../../shared/tenant/model.ts';
import { certificateBinding } from '../../../../shared/tokens/proof-of-possession.ts';

const thumbprint = 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2';
const certificate: ParsedCertificate = {
  presented: { pem: '-----BEGIN CERTIFICATE-----', source: 'gateway', caVerified: true },
  thumbprint,
  subjectDn: 'CN=client-1',
};
const client = (requirePop: boolean): ClientRecord => ({
  ...clientDefaults,
  client_id: 'client-1',
  name: 'c',
  is_first_party: true,
  grant_types: ['client_credentials'],
  require_proof_of_possession: requirePop,
  is_token_endpoint_ip_header_trusted: false,
  extra: {},
});
type Policy = 'none' | 'allowed' | 'required';
const api = (policy: Policy): ResourceServerRecord => ({
  identifier: 'https://api.example.test/',
  name: 'API',
  signing_alg: 'RS256',
  token_lifetime: 60,
  scopes: [],
  enforce_policies: false,
  token_dialect: 'access_token',
  allow_offline_access: false,
  ...(policy === 'none' ? {} : { proof_of_possession: { mechanism: 'mtls' as const, required: policy === 'required' } }),
});

/** Auth0's issuance matrix (reference §17): client requires PoP × certificate presented × API policy. */
const matrix: { requirePop: boolean; presented: boolean; policy: Policy; outcome: 'bound' | 'unbound' | 'refused' }[] = [
  { requirePop: false, presented: false, policy: 'none', outcome: 'unbound' },
  { requirePop: false, presented: false, policy: 'allowed', outcome: 'unbound' },
  { requirePop: false, presented: false, policy: 'required', outcome: 'refused' },
  { requirePop: false, presented: true, policy: 'none', outcome: 'unbound' },
  { requirePop: false, presented: true, policy: 'allowed', outcome: 'bound' },
  { requirePop: false, presented: true, policy: 'required', outcome: 'bound' },
  { requirePop: true, presented: false, policy: 'none', outcome: 'refused' },
  { requirePop: true, presented: false, policy: 'allowed', outcome: 'refused' },
  { requirePop: true, presented: false, policy: 'required', outcome: 'refused' },
  { requirePop: true, presented: true, policy: 'none', outcome: 'refused' },
  { requirePop: true, presented: true, policy: 'allowed', outcome: 'bound' },
  { requirePop: true, presented: true, policy: 'required', outcome: 'bound' },
];

describe('certificateBinding: the issuance matrix', () => {
  for (const { requirePop, presented, policy, outcome } of matrix) {
    const name = `client ${requirePop ? 'requires' : 'does not require'} PoP, certificate ${presented ? 'presented' : 'absent'}, API policy ${policy} → ${outcome}`;
    test(name, () => {
      const run = () => certificateBinding(client(requirePop), api(policy), presented ? certificate : undefined);
      if (outcome === 'refused') {
        assert.throws(run, (error: unknown) => error instanceof OAuthError && error.statusCode === 400 && error.error === 'invalid_request');
      } else {
        assert.equal(run(), outcome === 'bound' ? thumbprint : undefined);
      }
    });
  }

  test('the refusal names what is missing', () => {
    assert.throws(() => certificateBinding(client(true), api('allowed'), undefined), /present a client certificate/);
    assert.throws(() => certificateBinding(client(true), api('none'), certificate), /does not support/);
    assert.throws(() => certificateBinding(client(false), api('required'), undefined), /API "https:\/\/api\.example\.test\/" requires proof of possession/);
  });
});
