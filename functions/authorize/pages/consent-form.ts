import type { ApiResult } from '#shared/http/types';
import { html } from '#shared/html/escape';
import { formPage, pageUrl, type PageContext } from './forms.ts';

/** Plain words for the OpenID Connect scopes; API scopes are listed under their API's name. */
const oidcScopes: Readonly<Record<string, string>> = {
  openid: 'Confirm your identity',
  profile: 'Your profile: name, nickname and picture',
  email: 'Your email address',
  address: 'Your postal address',
  phone: 'Your phone number',
  offline_access: 'Keep access while you are not using the application',
};

/** The consent form: what the application asks for, and Accept / Decline buttons. */
export function consentForm(page: PageContext, input: { account?: string | undefined }): ApiResult {
  const { transaction, request } = page;
  const { account } = input;
  // Own keys only: a scope named `constructor` is an API scope, not Object.prototype's.
  const profile = transaction.scope.filter((s) => Object.hasOwn(oidcScopes, s));
  const api = transaction.scope.filter((s) => !Object.hasOwn(oidcScopes, s));
  const apiName = transaction.audience ? (request.tenant.resourceServers.get(transaction.audience)?.name ?? transaction.audience) : undefined;
  return formPage(page, {
    title: 'Authorize application',
    body: (hidden) => html`${account ? html`<p class="notice">Signed in as <strong>${account}</strong></p>` : ''}
<p><strong>${page.client.name}</strong> is asking for access to your ${page.tenantName} account:</p>
${profile.length ? html`<ul class="scopes">${profile.map((s) => html`<li>${oidcScopes[s]}</li>`)}</ul>` : ''}
${api.length ? html`<h2>${apiName ?? 'Other permissions'}</h2><ul class="scopes">${api.map((s) => html`<li><code>${s}</code></li>`)}</ul>` : ''}
<form method="post" action="${pageUrl('/u/consent', page.state)}">
${hidden}
<button type="submit" name="action" value="accept">Accept</button>
<button type="submit" name="action" value="deny" class="secondary">Decline</button>
</form>`,
  });
}
