import { html, type SafeHtml } from '#shared/html/escape';
import { formatted, type RuleResult } from '#shared/users/password-policy';

/**
 * A `PasswordStrengthError` as a person reads it: the connection's rules as a list, each
 * marked met or not (in words, not only by colour), from the body Auth0 sends
 * (`description.rules[]` with `message`, `format`, `items`, `verified`).
 */
export function passwordRules(body: Readonly<Record<string, unknown>>): SafeHtml | undefined {
  const found: unknown = (body.description as { rules?: unknown } | undefined)?.rules;
  if (!Array.isArray(found) || found.length === 0) return undefined;
  const rules = found as readonly RuleResult[];
  const met = (verified: boolean) => html` <em>(${verified ? 'met' : 'not met'})</em>`;
  return html`<p>Your password is too weak. It must meet these rules:</p>
<ul class="rules">${rules.map(
    (rule) =>
      html`<li>${formatted(rule)}${met(rule.verified)}${
        rule.items?.length ? html`<ul>${rule.items.map((item) => html`<li>${item.message}${met(item.verified)}</li>`)}</ul>` : ''
      }</li>`,
  )}</ul>`;
}
