import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { grantTypesSupported } from '../../../../functions/discovery/openid-configuration.ts';
import { grants } from '../../../../functions/token/token-endpoint.ts';

describe('discovery grant_types_supported', () => {
  test('lists exactly the grants /oauth/token serves, plus implicit (served by /authorize)', () => {
    assert.deepEqual(
      [...grantTypesSupported].filter((g) => g !== 'implicit').sort(),
      [...grants.keys()].sort(),
    );
    assert.ok(grantTypesSupported.includes('implicit'));
    // Issue 4: the passwordless and the three MFA grants are served, so they are advertised.
    for (const grant of ['passwordless/otp', 'mfa-otp', 'mfa-oob', 'mfa-recovery-code']) {
      assert.ok(grantTypesSupported.includes(`http://auth0.com/oauth/grant-type/${grant}`), grant);
    }
  });
});
