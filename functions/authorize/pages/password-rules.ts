import { html, type SafeHtml } from '#shared/html/escape';

/**
 * A `PasswordStrengthError` as a person reads it: the connection's rules as a list, each
 * marked met or not (in words, not only by colour), from the body Auth0 sends
 * (`description.rules[]` with `message`, `format`, `items`, `verified`).
 */
interface Rule {
  readonly message?: unknown;
  readonly format?: unknown;
  readonly verified?: unknown;
  readonly items?: unknown;
}

export function passwordRules(body: Readonly<Record<string, unknown>>): SafeHtml | undefined {
  const rules = (body.description as { rules?: unknown } | undefined)?.rules;
  if (!Array.isArray(rules) || rules.length === 0) return undefined;
  return html`<p>Your password is too weak. It must meet these rules:</p>
<ul class="rules">${(rules as Rule[]).map(
    (rule) =>
      html`<li>${filled(rule)} <em>(${rule.verified === true ? 'met' : 'not met'})</em>${
        Array.isArray(rule.items) ? html`<ul>${(rule.items as Rule[]).map((item) => html`<li>${filled(item)} <em>(${item.verified === true ? 'met' : 'not met'})</em></li>`)}</ul>` : ''
      }</li>`,
  )}</ul>`;
}

/** Auth0's messages carry `%d`/`%s` placeholders with the values in `format`. */
function filled(rule: Rule): string {
  const format = Array.isArray(rule.format) ? rule.format : [];
  let i = 0;
  return String(rule.message ?? '').replace(/%[ds]/g, () => String(format[i++] ?? ''));
}
