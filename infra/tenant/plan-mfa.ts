import { mfaFactorNames, type MfaFactorName, type MfaSettings } from '../../shared/tenant/model.ts';
import type { Reader } from './fields.ts';

/**
 * The Deploy CLI's MFA sections, as `a0deploy export` writes them, into `settings.mfa`:
 *
 *   guardianPolicies: { policies: [all-applications] }      # or [] (Auth0's default: never)
 *   guardianFactors: [{ name: otp, enabled: true }, …]      # every factor Auth0 has, most disabled
 *   guardianFactorTemplates: [{ name: sms, enrollment_message, verification_message }]
 *
 * An export lists every factor Auth0 knows; those Portcullis does not offer are accepted while
 * disabled and refused when enabled, so a tenant never believes a factor protects it when none does.
 * No section at all gives no `mfa` (MFA never, as a new Auth0 tenant).
 */

/** Factor names Auth0 has (Management API `/guardian/factors`) that Portcullis does not offer. */
const auth0OnlyFactors = ['push-notification', 'duo', 'webauthn-roaming', 'webauthn-platform'] as const;

/** Auth0 policies: `all-applications` (Always) and `confidence-score` (Adaptive MFA, not offered here). */
const policyNames = ['all-applications', 'confidence-score'] as const;

/** An SMS template is one message: a long one would be split into many billed SMS segments. */
const maxSmsTemplate = 1_000;

export function planMfa(root: Reader): MfaSettings | undefined {
  const policies = root.object('guardianPolicies');
  const factorList = root.list('guardianFactors');
  const templates = root.list('guardianFactorTemplates');
  if (!policies && factorList.length === 0 && templates.length === 0) return undefined;

  const policy = planPolicy(policies);
  const factors = planFactors(root, factorList);
  const sms_templates = planTemplates(templates);
  if (policy === 'all-applications' && !(factors.otp || factors.sms || factors.email)) {
    // Auth0 would then log everyone in without a second factor; refusing keeps "always" meaning always.
    root.problems.add('guardianPolicies.policies', 'all-applications needs one of the factors otp, sms or email enabled in guardianFactors (a recovery code alone is no factor)');
  }
  return { policy, factors, ...(sms_templates ? { sms_templates } : {}) };
}

function planPolicy(policies: Reader | undefined): MfaSettings['policy'] {
  if (!policies) return 'never';
  const list = policies.strings('policies') ?? [];
  for (const name of list) {
    if (name === 'confidence-score') policies.problems.add(policies.at('policies'), 'confidence-score (Adaptive MFA) is not supported; use all-applications or []');
    else if (!(policyNames as readonly string[]).includes(name)) policies.problems.add(policies.at('policies'), `${name} is not one of all-applications, confidence-score`);
  }
  return list.includes('all-applications') ? 'all-applications' : 'never';
}

function planFactors(root: Reader, list: readonly Reader[]): Record<MfaFactorName, boolean> {
  const factors = Object.fromEntries(mfaFactorNames.map((n) => [n, false])) as Record<MfaFactorName, boolean>;
  const seen = new Set<string>();
  for (const entry of list) {
    const name = entry.string('name', { required: true });
    const enabled = entry.boolean('enabled', false);
    if (name === undefined) continue;
    if (seen.has(name)) entry.problems.add(entry.at('name'), `${name} appears more than once in guardianFactors`);
    seen.add(name);
    if ((mfaFactorNames as readonly string[]).includes(name)) factors[name as MfaFactorName] = enabled;
    else if ((auth0OnlyFactors as readonly string[]).includes(name)) {
      if (enabled) entry.problems.add(entry.at('enabled'), `the factor ${name} is not supported by Portcullis (only ${mfaFactorNames.join(', ')}); disable it`);
    } else entry.problems.add(entry.at('name'), `${name} is not an MFA factor (${[...mfaFactorNames, ...auth0OnlyFactors].join(', ')})`);
  }
  if (factors['recovery-code'] && !(factors.otp || factors.sms || factors.email)) {
    root.problems.add('guardianFactors', 'recovery-code needs another factor enabled (otp, sms or email): it is only issued at their enrolment');
  }
  return factors;
}

function planTemplates(list: readonly Reader[]): MfaSettings['sms_templates'] {
  let found: MfaSettings['sms_templates'];
  for (const entry of list) {
    // Auth0's only factor template is the SMS one; the export may omit its name.
    const name = entry.oneOf('name', ['sms'] as const, 'sms');
    if (name === undefined) continue;
    if (found) entry.problems.add(entry.at('name'), 'sms appears more than once in guardianFactorTemplates');
    const enrollment_message = entry.string('enrollment_message', { min: 1, max: maxSmsTemplate });
    const verification_message = entry.string('verification_message', { min: 1, max: maxSmsTemplate });
    for (const [field, text] of [['enrollment_message', enrollment_message], ['verification_message', verification_message]] as const) {
      if (text !== undefined && !/\{\{\s*code\s*\}\}/.test(text)) entry.problems.add(entry.at(field), 'must contain {{code}}: the message carries the code');
    }
    found = { ...(enrollment_message !== undefined ? { enrollment_message } : {}), ...(verification_message !== undefined ? { verification_message } : {}) };
  }
  return found;
}
