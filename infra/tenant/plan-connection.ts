import type { ConnectionRecord } from '../../shared/tenant/model.ts';
import type { Reader } from './fields.ts';

/**
 * A connection entry. Options are stored as the file gives them (the endpoints read them with
 * Auth0's defaults: shared/connections/*); here they are only checked, so a typo is refused at
 * apply time instead of surfacing as a 500 or a silently ignored setting at login.
 *
 * Passwordless connections (`strategy: email | sms`, Auth0's names) take Auth0's options:
 * - `totp.time_step`: seconds a code lives, 60 (Auth0's minimum) to 86,400 (one day: a code
 *   that lives longer is a standing password); Auth0's default 180.
 * - `totp.length`: digits, 4 (Auth0's minimum) to 10; Auth0 allows up to 40, but a code is
 *   typed from a message and 10 digits already make guessing hopeless with 3 tries per code.
 * - `disable_signup`, `brute_force_protection`: booleans.
 * - `email: {subject, body, from, syntax}` (email): strings; `template` (sms): a string.
 * Any connection may carry `mfa: {active, return_enroll_settings}` (booleans): `active: false`
 * exempts its users from the tenant's MFA policy.
 */
export const passwordlessStrategies = ['email', 'sms'] as const;

export const codeLimits = {
  time_step: { min: 60, max: 86_400 },
  length: { min: 4, max: 10 },
} as const;

/** Generous caps that still keep one config item far below DynamoDB's 400 KB. */
const maxEmailBody = 100_000;
const maxLine = 1_000;

export function planConnection(c: Reader, clientId: (ref: string) => string | undefined): ConnectionRecord | undefined {
  const name = c.string('name', { required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/ });
  const strategy = c.string('strategy') ?? 'auth0';
  const enabled = (c.strings('enabled_clients') ?? []).flatMap((ref) => {
    const id = clientId(ref);
    if (!id) c.problems.add(c.at('enabled_clients'), `names no client in this file (${ref})`);
    return id ? [id] : [];
  });
  const options = c.object('options');
  if (options) {
    checkMfa(options);
    if ((passwordlessStrategies as readonly string[]).includes(strategy)) checkPasswordless(options, strategy as 'email' | 'sms');
  }
  return name ? { name, strategy, enabled_clients: enabled, options: options?.obj ?? {} } : undefined;
}

function checkMfa(options: Reader): void {
  const mfa = options.object('mfa');
  mfa?.boolean('active', true);
  mfa?.boolean('return_enroll_settings', true);
}

function checkPasswordless(options: Reader, strategy: 'email' | 'sms'): void {
  const totp = options.object('totp');
  totp?.integer('time_step', { ...codeLimits.time_step, fallback: 180 });
  totp?.integer('length', { ...codeLimits.length, fallback: 6 });
  options.boolean('disable_signup', false);
  options.boolean('brute_force_protection', true);
  if (strategy === 'email') {
    const email = options.object('email');
    email?.string('subject', { max: maxLine });
    email?.string('body', { max: maxEmailBody });
    email?.string('from', { max: maxLine });
    email?.string('syntax', { max: 64 });
  } else {
    options.string('template', { min: 1, max: maxLine });
    options.string('syntax', { max: 64 });
  }
}
