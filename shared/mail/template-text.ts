/**
 * Fills a tenant's message template (Auth0 writes them in Liquid) with our few variables:
 * `{{ code }}`, `{{ link }}`, `{{ application.name }}`, `{{ friendly_name }}` (also
 * `{{ tenant.friendly_name }}`), and Auth0's older `@@password@@` for the code. This is no
 * Liquid engine: `{% … %}` tags are dropped (both branches of a condition stay) and unknown
 * variables render empty, so a template never shows raw braces to a user.
 */
export type TemplateValues = Readonly<Record<string, string | undefined>>;

export function fillTemplate(template: string, values: TemplateValues): string {
  return template
    .replace(/\{%-?[\s\S]*?-?%\}/g, '')
    .replace(/\{\{-?\s*([A-Za-z_][\w.]*)\s*(?:\|[^}]*)?-?\}\}/g, (_m, name: string) => values[name] ?? '')
    .replace(/@@password@@/g, values.code ?? '');
}
