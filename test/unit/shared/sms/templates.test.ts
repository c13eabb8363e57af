import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readPasswordlessConnection } from '../../../../shared/connections/passwordless.ts';
import { fillTemplate } from '../../../../shared/mail/template-text.ts';
import { mfaEmail, passwordlessEmail } from '../../../../shared/mail/templates.ts';
import { mfaSms, passwordlessSms } from '../../../../shared/sms/templates.ts';
import type { TenantConfig } from '../../../../shared/tenant/model.ts';

/** Passwordless and MFA messages: defaults, tenant overrides, and the code/link always given apart for the outbox. */
const tenant = (settings: Partial<TenantConfig['settings']> = {}) =>
  ({ settings: { friendly_name: 'Acme', mtls: { enable_endpoint_aliases: false }, rate_limits: {}, extra: {}, ...settings } }) as unknown as TenantConfig;
const connection = (strategy: 'email' | 'sms', options: Record<string, unknown> = {}) =>
  readPasswordlessConnection({ name: strategy, strategy, enabled_clients: [], options });

describe('fillTemplate', () => {
  test('fills known variables with or without spaces, drops Liquid tags, empties unknown variables', () => {
    const out = fillTemplate('{% if send == "link" %}Hi{% endif %} {{code}} {{ link }} {{ application.name }} {{friendly_name}} {{ user.name }} @@password@@', {
      code: '123456',
      link: 'https://x/l',
      'application.name': 'App',
      friendly_name: 'Acme',
    });
    assert.equal(out, 'Hi 123456 https://x/l App Acme  123456');
  });
});

describe('passwordlessEmail', () => {
  test('code: default subject and text carry the code and the lifetime; code given apart, no link', () => {
    const mail = passwordlessEmail({ to: 'jane@example.com', tenantName: 'Acme', applicationName: 'Shop', connection: connection('email'), code: '042917' });
    assert.equal(mail.template, 'passwordless_code');
    assert.equal(mail.subject, 'Your Acme verification code');
    assert.match(mail.text, /^042917$/m);
    assert.match(mail.text, /3 minutes/);
    assert.equal(mail.code, '042917');
    assert.equal('link' in mail, false);
  });

  test('link: the link is in the text and given apart', () => {
    const link = 'https://auth.example/passwordless/verify_redirect?verification_code=1';
    const mail = passwordlessEmail({ to: 'jane@example.com', tenantName: undefined, applicationName: 'Shop', connection: connection('email', { totp: { time_step: 600 } }), code: '1', link });
    assert.equal(mail.template, 'passwordless_link');
    assert.equal(mail.subject, 'Log in to Shop');
    assert.ok(mail.text.includes(link));
    assert.match(mail.text, /10 minutes/);
    assert.equal(mail.link, link);
  });

  test("the connection's options.email subject and body win, filled in; a multi-line subject becomes one line", () => {
    const conn = connection('email', { email: { subject: 'Code for\r\n{{ application.name }}', body: '<p>{{ friendly_name }}: {{ code }}</p>', from: 'x@y.z' } });
    const mail = passwordlessEmail({ to: 'j@e.com', tenantName: 'Acme', applicationName: 'Shop', connection: conn, code: '777777' });
    assert.equal(mail.subject, 'Code for Shop');
    assert.equal(mail.text, '<p>Acme: 777777</p>');
  });

  test('a custom body without {{ link }} still carries the magic link when send=link (and one without {{ code }} the code)', () => {
    const link = 'https://auth.example/passwordless/verify_redirect?verification_code=777777&x=1';
    const codeOnly = connection('email', { email: { body: 'Your {{ friendly_name }} code: {{ code }}' } });
    const linked = passwordlessEmail({ to: 'j@e.com', tenantName: 'Acme', applicationName: 'Shop', connection: codeOnly, code: '777777', link });
    assert.equal(linked.text, `Your Acme code: 777777\n\n${link}`);
    assert.equal(linked.link, link);
    // A body that has the link keeps it where it is, once.
    const withLink = connection('email', { email: { body: 'Log in: {{ link }}\nBye' } });
    assert.equal(passwordlessEmail({ to: 'j@e.com', tenantName: 'Acme', applicationName: 'Shop', connection: withLink, code: '777777', link }).text, `Log in: ${link}\nBye`);
    // The same link-only body for send=code: the code is appended instead.
    assert.equal(passwordlessEmail({ to: 'j@e.com', tenantName: 'Acme', applicationName: 'Shop', connection: withLink, code: '777777' }).text, 'Log in: \nBye\n\n777777');
  });
});

describe('passwordlessSms', () => {
  test('default text names the application and carries the code', () => {
    const sms = passwordlessSms({ to: '+15550001111', tenant: tenant(), applicationName: 'Shop', connection: connection('sms'), code: '123456' });
    assert.deepEqual(sms, { to: '+15550001111', template: 'passwordless_sms', text: 'Your Shop verification code is: 123456', code: '123456' });
  });

  test("the connection's options.template wins, Auth0's @@password@@ included", () => {
    const conn = connection('sms', { template: 'Code @@password@@ for {{ application.name }}' });
    assert.equal(passwordlessSms({ to: '+1', tenant: tenant(), applicationName: 'Shop', connection: conn, code: '9' }).text, 'Code 9 for Shop');
  });

  test('a link by SMS carries the link', () => {
    const sms = passwordlessSms({ to: '+1', tenant: tenant(), applicationName: 'Shop', connection: connection('sms'), code: '9', link: 'https://l' });
    assert.equal(sms.template, 'passwordless_sms_link');
    assert.equal(sms.link, 'https://l');
    assert.ok(sms.text.includes('https://l'));
  });
});

describe('MFA messages', () => {
  test('mfaSms: defaults per purpose, and guardianFactorTemplates overrides', () => {
    assert.equal(mfaSms({ to: '+1', tenant: tenant(), code: '111222', enrollment: false }).text, '111222 is your verification code for Acme.');
    assert.equal(mfaSms({ to: '+1', tenant: tenant(), code: '1', enrollment: true }).template, 'mfa_sms_enrollment');
    const custom = tenant({ mfa: { policy: 'never', factors: { otp: false, sms: true, email: false, 'recovery-code': false }, sms_templates: { enrollment_message: 'E {{code}} {{tenant.friendly_name}}', verification_message: 'V {{code}}' } } });
    assert.equal(mfaSms({ to: '+1', tenant: custom, code: '5', enrollment: true }).text, 'E 5 Acme');
    assert.equal(mfaSms({ to: '+1', tenant: custom, code: '5', enrollment: false }).text, 'V 5');
  });

  test('mfaEmail: the code in subject and text, template by purpose', () => {
    const mail = mfaEmail({ to: 'j@e.com', tenantName: undefined, code: '333444', enrollment: true });
    assert.equal(mail.template, 'mfa_email_enrollment');
    assert.equal(mail.subject, '333444 is your Portcullis verification code');
    assert.match(mail.text, /^333444$/m);
    assert.equal(mail.code, '333444');
    assert.equal(mfaEmail({ to: 'j@e.com', tenantName: 'Acme', code: '1', enrollment: false }).template, 'mfa_email_verification');
  });
});
