import { withCookies } from '#shared/http/cookies';
import type { ApiResult } from '#shared/http/types';
import { html, type SafeHtml } from '#shared/html/escape';
import { formError, formPage, pageUrl, type PageContext } from './forms.ts';

/**
 * The markup the MFA pages share. Every form posts back to its page with the CSRF token
 * (formPage); what the form does is its `action` button value; a one-time code is always a
 * field named `code` (the issue's convention, Universal Login's too), with
 * `autocomplete="one-time-code"` so phones offer the code an SMS brought.
 */
export type MfaPath = '/u/mfa-enrollment' | '/u/mfa-challenge';

export interface MfaFormInput {
  readonly title: string;
  /** What the page says above the form. */
  readonly intro: SafeHtml;
  /** The button's `action` value. */
  readonly action: string;
  readonly button: string;
  /** Extra hidden fields (an authenticator id, an oob_code): never the user. */
  readonly hidden?: Readonly<Record<string, string>>;
  /** The `code` field's label; no field when absent (a "send me a code" step). */
  readonly codeLabel?: string;
  /** Whether the code is digits (TOTP, SMS, email) or letters too (a recovery code). */
  readonly numeric?: boolean;
  /** A phone-number field instead of the code (SMS enrolment). */
  readonly phone?: { readonly value?: string };
  readonly error?: string | undefined;
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** Forms under the main one (other factors, "use a recovery code"), given the CSRF fields. */
  readonly more?: (csrf: SafeHtml) => SafeHtml;
}

export function mfaForm(page: PageContext, path: MfaPath, input: MfaFormInput): ApiResult {
  const invalid = input.error !== undefined;
  const aria = invalid ? html` aria-invalid="true" aria-describedby="form-error"` : html``;
  const hidden = Object.entries(input.hidden ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return formPage(page, {
    title: input.title,
    ...(input.status ? { status: input.status } : {}),
    ...(input.headers ? { headers: input.headers } : {}),
    body: (csrf) => html`${formError(input.error)}
${input.intro}
<form method="post" action="${pageUrl(path, page.state)}">
${csrf}${hidden}
${
  input.phone
    ? html`<label for="field-phone_number">Phone number, with its country code (+1 555 010 0000)</label>
<input id="field-phone_number" name="phone_number" type="tel" autocomplete="tel" inputmode="tel"${input.phone.value ? html` value="${input.phone.value}"` : ''} required autofocus${aria}>`
      : ''
}${
      input.codeLabel
        ? html`<label for="field-code">${input.codeLabel}</label>
<input id="field-code" name="code" type="text" autocomplete="one-time-code"${input.numeric === false ? html` autocapitalize="characters"` : html` inputmode="numeric"`} spellcheck="false" required autofocus${aria}>`
        : ''
    }
<button type="submit" name="action" value="${input.action}">${input.button}</button>
</form>
${input.more ? input.more(csrf) : ''}`,
  });
}

export interface Choice {
  readonly name: string;
  readonly value: string;
  readonly label: string;
}

/** Buttons that each post `action` with one value (choose a factor, switch factor): forms, not links, since they may send a code. */
export function choiceForms(page: PageContext, path: MfaPath, heading: string, action: string, choices: readonly Choice[]): (csrf: SafeHtml) => SafeHtml {
  return (csrf) =>
    choices.length === 0
      ? html``
      : html`<h2>${heading}</h2>
<form method="post" action="${pageUrl(path, page.state)}" class="choices">
${csrf}
${choices.map((c) => html`<button type="submit" name="${c.name}" value="${c.value}" class="secondary">${c.label}</button>`)}
<input type="hidden" name="action" value="${action}">
</form>`;
}

/**
 * A new recovery code, shown once (Auth0 shows it at the first enrolment and after a code is
 * used): the session is made already; Continue answers the application.
 */
export function recoveryCodePage(page: PageContext, path: MfaPath, code: string, setCookies: readonly string[]): ApiResult {
  const grouped = code.match(/.{1,4}/g)?.join(' ') ?? code;
  const result = formPage(page, {
    title: 'Save your recovery code',
    body: (csrf) => html`<p>If you lose your device, this code lets you log in. Write it down and keep it somewhere safe: it will not be shown again.</p>
<p class="notice"><code id="recovery-code" data-code="${code}">${grouped}</code></p>
<form method="post" action="${pageUrl(path, page.state)}">
${csrf}
<button type="submit" name="action" value="continue">Continue</button>
</form>`,
  });
  return withCookies(result, setCookies);
}
