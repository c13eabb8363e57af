import { randomUUID, sign, type KeyObject } from 'node:crypto';
import fc from 'fast-check';

/**
 * fast-check arbitraries for hostile POST /oauth/token requests: bodies (form, JSON, random
 * bytes, invalid UTF-8, oversized), content types, Authorization headers and client
 * assertions. Mostly they look like a client_credentials request — so they get past parsing
 * into client authentication and the grant — with real credentials now and then, but never
 * for an audience the client may have: no generated request can legitimately succeed.
 */
export interface TokenRequestWorld {
  /** The issuer the server expects as assertion audience. */
  readonly issuer: string;
  /** Audiences that must always be refused (unknown, or no client grant). */
  readonly refusedAudiences: readonly string[];
  /** Client ids the tenant knows. */
  readonly clientIds: readonly string[];
  /** Real credentials: post secrets, Basic secrets, an assertion signing key. */
  readonly postSecrets: readonly { clientId: string; secret: string }[];
  readonly basicSecrets: readonly { clientId: string; secret: string }[];
  readonly assertionKey: { clientId: string; key: KeyObject };
}

export interface TokenRequest {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
}

const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Characters node:http lets through in a header value (tab, printable ASCII, Latin-1). */
const headerChar = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09)).map((c) => String.fromCharCode(c));
const headerValue = (maxLength: number) => fc.string({ unit: headerChar, maxLength });
const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\uD800', '\uDFFF', '\u0000', '\uFFFD', '%', '+', '&', '=', ' ', '__proto__', 'constructor', 'toString'),
);
const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** application/x-www-form-urlencoded of the UTF-8 bytes (a lone surrogate becomes U+FFFD, as on the wire). */
export const formEncode = (value: string) =>
  [...Buffer.from(value, 'utf8')]
    .map((b) => (/[A-Za-z0-9*\-._]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : b === 0x20 ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');

const optional = <T>(arb: fc.Arbitrary<T>, presentWeight: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: presentWeight, arbitrary: arb.map((v): T | undefined => v) }, { weight: 1, arbitrary: fc.constant(undefined) });

type Pairs = (readonly [string, string])[];
type Kind = 'form' | 'json' | 'bytes';

export function tokenRequests(world: TokenRequestWorld): fc.Arbitrary<TokenRequest> {
  const clientIds = fc.oneof(fc.constantFrom(...world.clientIds, 'unknown-client', '__proto__', 'constructor', 'x'.repeat(300)), anyText);
  const knownSecrets = [...world.postSecrets, ...world.basicSecrets].map((s) => s.secret);
  const wrongSecrets = fc.oneof(anyText, fc.constantFrom(...knownSecrets.flatMap((s) => [`${s}x`, s.slice(0, -1), s.toUpperCase()]), 'x'.repeat(5000)));
  const audiences = fc.oneof(fc.constantFrom(...world.refusedAudiences), anyText);
  const scopes = fc.oneof(fc.constantFrom('read:a', 'admin:a', 'read:a  write:a', 'openid', '"', '\\', 'x'.repeat(5000)), anyText);

  /** Assertions signed with the real key, with claims from right to wrong (replays, lifetimes, audiences). */
  const signedAssertions = fc
    .record({
      alg: fc.constantFrom('RS256', 'RS256', 'RS256', 'PS256', 'ES256'),
      iss: fc.oneof({ weight: 5, arbitrary: fc.constant(world.assertionKey.clientId) }, { weight: 1, arbitrary: clientIds }),
      sub: fc.oneof({ weight: 5, arbitrary: fc.constant(world.assertionKey.clientId) }, { weight: 1, arbitrary: clientIds }),
      aud: fc.oneof(fc.constantFrom(world.issuer, `${world.issuer}oauth/token`, world.issuer.slice(0, -1)), fc.jsonValue()),
      lifetime: fc.integer({ min: -120, max: 900 }),
      iat: fc.option(fc.integer({ min: -600, max: 600 })),
      jti: fc.oneof(fc.constant('always-the-same-jti'), fc.constant(undefined), fc.string({ maxLength: 80 }), fc.constant(null).map(() => randomUUID())),
    })
    .map(({ alg, lifetime, iat, ...claims }) => {
      const now = Math.floor(Date.now() / 1000);
      const payload = { ...claims, exp: now + lifetime, ...(iat === null ? {} : { iat: now + iat }) };
      const input = `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}`;
      // Always an RSA PKCS#1 v1.5 signature: right for RS256, wrong for the other headers.
      return `${input}.${sign('sha256', Buffer.from(input), world.assertionKey.key).toString('base64url')}`;
    });
  const junkAssertions = fc.oneof(
    anyText,
    fc.constantFrom('a.b.c', '..', '...', 'e30.e30.', 'e30.e30.e30', 'x'.repeat(3000)),
    fc
      .tuple(
        fc.record({ alg: fc.oneof(fc.constantFrom('RS256', 'ES256', 'none', 'HS256'), fc.jsonValue()), kid: fc.jsonValue() }, { requiredKeys: [] }),
        fc.record({ iss: fc.oneof(clientIds, fc.jsonValue()), sub: fc.oneof(clientIds, fc.jsonValue()), aud: fc.jsonValue(), exp: fc.oneof(fc.double(), fc.jsonValue()), jti: fc.jsonValue() }, { requiredKeys: [] }),
        fc.oneof(fc.string({ maxLength: 20 }), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64url'))),
      )
      .map(([h, p, s]) => `${b64url(h)}.${b64url(p)}.${s}`),
  );

  /** How the client authenticates in the body: mostly one way, sometimes none, sometimes two. */
  const bodyAuth: fc.Arbitrary<Record<string, string | undefined>> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ client_id: clientIds, client_secret: wrongSecrets }) },
    { weight: 2, arbitrary: fc.constantFrom(...world.postSecrets, ...world.basicSecrets).map((c) => ({ client_id: c.clientId, client_secret: c.secret })) },
    {
      weight: 4,
      arbitrary: fc.record(
        {
          client_id: fc.oneof({ weight: 3, arbitrary: fc.constant(world.assertionKey.clientId) }, { weight: 1, arbitrary: clientIds }),
          client_assertion: fc.oneof(signedAssertions, junkAssertions),
          client_assertion_type: fc.oneof({ weight: 5, arbitrary: fc.constant(assertionType) }, { weight: 1, arbitrary: anyText }),
        },
        { requiredKeys: ['client_assertion', 'client_assertion_type'] },
      ),
    },
    { weight: 2, arbitrary: fc.record({ client_id: clientIds }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.record({ client_id: clientIds, client_secret: wrongSecrets, client_assertion: junkAssertions }, { requiredKeys: [] }) },
  );
  const params: fc.Arbitrary<Pairs> = fc
    .tuple(
      optional(fc.oneof({ weight: 6, arbitrary: fc.constant('client_credentials') }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('password', 'authorization_code', '__proto__', 'CLIENT_CREDENTIALS'), anyText) }), 12),
      bodyAuth,
      optional(audiences, 6),
      fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: audiences }),
      optional(scopes, 1),
      fc.oneof({ weight: 4, arbitrary: fc.constant([] as [string, string][]) }, { weight: 1, arbitrary: fc.array(fc.tuple(anyText, anyText), { maxLength: 2 }) }),
    )
    .map(([grant_type, auth, audience, resource, scope, extra]) => {
      const base: Record<string, string | undefined> = { grant_type, ...auth, audience, resource, scope };
      const pairs: Pairs = Object.entries(base).flatMap(([k, v]) => (v === undefined ? [] : [[k, v] as const]));
      return [...pairs, ...extra.filter(([k]) => !(k in base))];
    });

  /** Form bodies, sometimes with a repeated key or broken percent-encoding spliced in. */
  const formBodies = fc
    .tuple(
      params,
      fc.oneof(
        { weight: 5, arbitrary: fc.constant('') },
        { weight: 1, arbitrary: fc.constantFrom('&grant_type=client_credentials', '&client_id=x', '%', '%zz', '%E0%80', '%C3', '&&&', '=&=', '%00', '+%2B+') },
      ),
      fc.boolean(),
    )
    .map(([pairs, splice, first]) => {
      const encoded = pairs.map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join('&');
      return Buffer.from(first ? `${splice}${encoded}` : `${encoded}${splice}`);
    });
  /** JSON bodies: the parameters, or with non-string members, or any JSON at all, or cut short. */
  const jsonKeys = fc.oneof(fc.constantFrom('grant_type', 'client_id', 'client_secret', 'audience', 'scope', 'client_assertion', '__proto__', 'constructor'), anyText);
  const jsonBodies = fc.oneof(
    { weight: 6, arbitrary: params.map((pairs) => Buffer.from(JSON.stringify(Object.fromEntries(pairs)))) },
    { weight: 1, arbitrary: fc.tuple(params, fc.dictionary(jsonKeys, fc.jsonValue(), { maxKeys: 2 })).map(([p, extra]) => Buffer.from(JSON.stringify({ ...Object.fromEntries(p), ...extra }))) },
    { weight: 1, arbitrary: fc.json().map((s) => Buffer.from(s)) },
    {
      weight: 1,
      arbitrary: fc.tuple(params, fc.nat()).map(([p, cut]) => {
        const doc = JSON.stringify(Object.fromEntries(p));
        return Buffer.from(doc.slice(0, cut % Math.max(1, doc.length)));
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('{', '[]', 'null', '"client_credentials"', '42', '{"grant_type":["client_credentials"]}', '{"grant_type":{"a":1}}', '{"__proto__":{"grant_type":"client_credentials"}}')
        .map((s) => Buffer.from(s)),
    },
  );
  const invalidUtf8 = fc
    .tuple(fc.oneof(formBodies, jsonBodies), fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]), fc.nat())
    .map(([body, bad, at]) => {
      const i = body.length === 0 ? 0 : at % body.length;
      return Buffer.concat([body.subarray(0, i), Buffer.from(bad), body.subarray(i)]);
    });
  const hugeBodies = fc
    .tuple(fc.integer({ min: 16 * 1024 + 1, max: 64 * 1024 }), fc.constantFrom<Kind>('form', 'json'))
    .map(([size, kind]) => ({
      kind,
      bytes: Buffer.from(kind === 'form' ? `grant_type=client_credentials&client_id=x&pad=${'a'.repeat(size)}` : JSON.stringify({ grant_type: 'client_credentials', pad: 'a'.repeat(size) })),
    }));
  const bodies = fc.oneof(
    { weight: 6, arbitrary: formBodies.map((bytes) => ({ kind: 'form' as Kind, bytes })) },
    { weight: 5, arbitrary: jsonBodies.map((bytes) => ({ kind: 'json' as Kind, bytes })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => ({ kind: 'bytes' as Kind, bytes: Buffer.from(b) })) },
    { weight: 1, arbitrary: fc.tuple(invalidUtf8, fc.constantFrom<Kind>('form', 'json')).map(([bytes, kind]) => ({ kind, bytes })) },
    { weight: 1, arbitrary: hugeBodies },
    { weight: 1, arbitrary: fc.constantFrom<Kind>('form', 'json').map((kind) => ({ kind, bytes: Buffer.alloc(0) })) },
  );

  const matchingType: Record<Kind, fc.Arbitrary<string>> = {
    form: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=UTF-8', 'APPLICATION/X-WWW-FORM-URLENCODED;charset=ISO-8859-1'),
    json: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON ;x=y'),
    bytes: fc.constantFrom('application/octet-stream', 'application/json', 'application/x-www-form-urlencoded'),
  };
  const otherTypes = fc.oneof(
    fc.constantFrom('text/plain', 'multipart/form-data; boundary=x', 'application/jwt', 'application/json-patch+json', ';', 'application/x-www-form-urlencoded2'),
    headerValue(60),
  );
  /** Mostly the content type that fits the body, so requests reach the grant; sometimes another or none. */
  const contentTypeFor = (kind: Kind) =>
    fc.oneof({ weight: 8, arbitrary: matchingType[kind] }, { weight: 1, arbitrary: otherTypes }, { weight: 1, arbitrary: fc.constant(undefined) });

  const basic = (id: string, secret: string, encode: boolean) => `Basic ${Buffer.from(encode ? `${formEncode(id)}:${formEncode(secret)}` : `${id}:${secret}`).toString('base64')}`;
  const authorizations = fc.oneof(
    fc.tuple(clientIds, wrongSecrets, fc.boolean()).map(([id, secret, encode]) => basic(id, secret, encode)),
    fc.constantFrom(...world.basicSecrets, ...world.postSecrets).map((c) => basic(c.clientId, c.secret, true)),
    fc.uint8Array({ maxLength: 80 }).map((b) => `Basic ${Buffer.from(b).toString('base64')}`),
    fc.constantFrom('Basic', 'Basic ', 'Basic ====', 'Basic Og==', 'Basic YTo=', 'Basic OmI=', `Basic ${Buffer.from('a:%zz').toString('base64')}`, 'Bearer x', 'Digest a=b', 'basic  bTJt'),
    headerValue(120).map((v) => `Basic ${v}`),
    headerValue(120),
  );

  return bodies.chain(({ kind, bytes }) =>
    fc.record({
      body: fc.constant(bytes),
      contentType: contentTypeFor(kind),
      authorization: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: authorizations }),
    }),
  );
}
