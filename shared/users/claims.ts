import { createHash } from 'node:crypto';
import type { UserRecord } from '../store/users.ts';

/**
 * The OIDC standard claims of a user, filtered by the granted scopes (OIDC Core §5.4), as
 * Auth0 fills them for database users (reference §4.5, §15.2): `profile` gives the name
 * claims, `picture` and `updated_at`; `email` gives `email` and `email_verified`; `phone`
 * gives `phone_number`. Auth0's defaults for a database user without profile data: the
 * email as `name`, its local part as `nickname`, and a Gravatar picture.
 *
 * `updated_at` is an ISO 8601 string, as Auth0 sends it outside FAPI profiles (OIDC Core
 * says a number; Auth0's SDKs expect the string).
 */
export type UserClaims = Record<string, string | boolean>;

export function profileClaims(user: UserRecord, scopes: readonly string[]): UserClaims {
  const claims: UserClaims = {};
  if (scopes.includes('profile')) {
    const email = user.email ?? '';
    const put = (name: string, value: string | undefined) => {
      if (value !== undefined && value !== '') claims[name] = value;
    };
    put('given_name', user.given_name);
    put('family_name', user.family_name);
    put('nickname', user.nickname ?? localPart(email));
    put('name', user.name ?? email);
    put('picture', user.picture ?? gravatarUrl(email));
    put('updated_at', user.updated_at);
  }
  if (scopes.includes('email') && user.email) {
    claims.email = user.email;
    claims.email_verified = user.email_verified === true;
  }
  if (scopes.includes('phone') && user.phone_number) claims.phone_number = user.phone_number;
  return claims;
}

/** `/userinfo`'s answer: `sub` always (OIDC Core §5.3.2), then the claims the scopes allow. */
export function userinfoClaims(user: UserRecord, scopes: readonly string[]): UserClaims {
  return { sub: user.user_id, ...profileClaims(user, scopes) };
}

function localPart(email: string): string {
  const at = email.lastIndexOf('@');
  return at > 0 ? email.slice(0, at) : email;
}

/**
 * Auth0's default picture: Gravatar by the MD5 of the trimmed, lower-cased email (Gravatar's
 * own key, not a security use of MD5), 480 px, rated PG, an identicon when there is none.
 */
export function gravatarUrl(email: string): string {
  const hash = createHash('md5').update(email.trim().toLowerCase()).digest('hex');
  return `https://s.gravatar.com/avatar/${hash}?s=480&r=pg&d=identicon`;
}
