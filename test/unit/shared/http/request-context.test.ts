import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { resetRuntimeConfig } from '../../../../shared/config.ts';
import { sha256Base64Url } from '../../../../shared/crypto/digest.ts';
import { resolveRequestContext } from '../../../../shared/http/request-context.ts';
import { emptySettings } from '../../../../shared/store/tenant-config.ts';
import type { CustomDomainRecord, TenantConfig } from '../../../../shared/tenant/model.ts';
import { apiEvent } from '../../../support/events.ts';

const issuer = 'https://auth.portcullis.test/';
const proxyKey = 'edge-proxy-key-0123456789abcdef';
const otherKey = 'other-proxy-key-0123456789abcdef';
const domains: CustomDomainRecord[] = [
  { domain: 'login.example.com', type: 'self_managed_certs', cname_api_key_sha256: sha256Base64Url(proxyKey) },
  { domain: 'id.example.com', type: 'self_managed_certs', cname_api_key_sha256: sha256Base64Url(otherKey), custom_client_ip_header: 'true-client-ip' },
  { domain: 'managed.example.com', type: 'auth0_managed_certs' },
];
const tenant: TenantConfig = {
  settings: emptySettings,
  clients: new Map(),
  resourceServers: new Map(),
  clientGrants: new Map(),
  connections: new Map(),
  customDomains: new Map(domains.map((d) => [d.domain, d])),
};
const pem = '-----BEGIN CERTIFICATE-----\nMIIB+zCCAaGgAwIBAgIU\n-----END CERTIFICATE-----\n';
const gatewayPem = '-----BEGIN CERTIFICATE-----\nGATEWAY\n-----END CERTIFICATE-----\n';
const socketIp = '198.51.100.7';

const resolve = (headers: Record<string, string>, clientCertPem?: string) =>
  resolveRequestContext(apiEvent({ headers, sourceIp: socketIp, ...(clientCertPem ? { clientCertPem } : {}) }), tenant);
const proxied = (headers: Record<string, string> = {}, clientCertPem?: string) =>
  resolve({ host: 'login.example.com', 'cname-api-key': proxyKey, ...headers }, clientCertPem);
const spoofing = { 'x-forwarded-for': '203.0.113.66', 'true-client-ip': '203.0.113.67', 'client-certificate': encodeURIComponent(pem), 'client-certificate-ca-verified': 'SUCCESS' };

describe('resolveRequestContext', () => {
  before(() => {
    Object.assign(process.env, { ISSUER: issuer, KEYSET_FILE: '/nonexistent', TABLE_CLIENTS: 'c', TABLE_USERS: 'u', TABLE_CODES: 'o', TABLE_RATE_LIMITS: 'r', TABLE_SESSIONS: 's', TABLE_REFRESH_TOKENS: 'f', TABLE_AUTHENTICATORS: 'a' });
    resetRuntimeConfig();
  });

  describe('without a trusted proxy', () => {
    test('the issuer is the configured one and the IP is the socket address', () => {
      assert.deepEqual(resolve({ host: 'auth.portcullis.test' }), { issuer, clientIp: socketIp, customDomain: undefined, certificate: undefined });
    });

    test('forwarded IP and edge certificate headers are ignored when no cname-api-key is sent', () => {
      const context = resolve({ host: 'login.example.com', ...spoofing });
      assert.equal(context.clientIp, socketIp);
      assert.equal(context.certificate, undefined);
      assert.equal(context.issuer, issuer);
    });

    test('a wrong cname-api-key is ignored like no key', () => {
      const context = resolve({ host: 'login.example.com', 'cname-api-key': `${proxyKey}x`, ...spoofing });
      assert.deepEqual(context, { issuer, clientIp: socketIp, customDomain: undefined, certificate: undefined });
    });

    test("another domain's key does not open this domain", () => {
      assert.equal(resolve({ host: 'login.example.com', 'cname-api-key': otherKey, ...spoofing }).customDomain, undefined);
    });

    test('a right key for a host that is no custom domain is ignored', () => {
      assert.equal(resolve({ host: 'evil.example.net', 'cname-api-key': proxyKey, ...spoofing }).clientIp, socketIp);
    });

    test('a domain without a proxy key (Auth0-managed certificates) trusts no key', () => {
      assert.equal(resolve({ host: 'managed.example.com', 'cname-api-key': '', ...spoofing }).customDomain, undefined);
      assert.equal(resolve({ host: 'managed.example.com', 'cname-api-key': 'anything-at-all-here', ...spoofing }).customDomain, undefined);
    });

    test("API Gateway's certificate is used, CA-verified", () => {
      assert.deepEqual(resolve({}, gatewayPem).certificate, { pem: gatewayPem, source: 'gateway', caVerified: true });
    });
  });

  describe('through a trusted proxy (right cname-api-key)', () => {
    test('the issuer is the custom domain, whatever the case and port of Host', () => {
      const context = resolve({ host: 'LOGIN.Example.com:443', 'cname-api-key': proxyKey });
      assert.equal(context.issuer, 'https://login.example.com/');
      assert.equal(context.customDomain?.domain, 'login.example.com');
    });

    test('X-Forwarded-Proto http gives an http issuer; anything else https', () => {
      assert.equal(proxied({ 'x-forwarded-proto': 'http' }).issuer, 'http://login.example.com/');
      assert.equal(proxied({ 'x-forwarded-proto': 'HTTP, https' }).issuer, 'http://login.example.com/');
      assert.equal(proxied({ 'x-forwarded-proto': 'gopher' }).issuer, 'https://login.example.com/');
    });

    test('the client IP is the last X-Forwarded-For entry, the one the proxy appended', () => {
      assert.equal(proxied({ 'x-forwarded-for': '10.0.0.1, 192.0.2.1 ,  203.0.113.9 ' }).clientIp, '203.0.113.9');
    });

    test('a single X-Forwarded-For entry is used', () => {
      assert.equal(proxied({ 'x-forwarded-for': '203.0.113.9' }).clientIp, '203.0.113.9');
    });

    test('without X-Forwarded-For (or with an empty one) the socket address is kept', () => {
      assert.equal(proxied().clientIp, socketIp);
      assert.equal(proxied({ 'x-forwarded-for': ' , ' }).clientIp, socketIp);
    });

    test("the domain's custom client IP header wins over X-Forwarded-For", () => {
      const context = resolve({ host: 'id.example.com', 'cname-api-key': otherKey, 'true-client-ip': ' 203.0.113.77 ', 'x-forwarded-for': '203.0.113.9' });
      assert.equal(context.clientIp, '203.0.113.77');
    });

    test('without its custom header, X-Forwarded-For is used', () => {
      assert.equal(resolve({ host: 'id.example.com', 'cname-api-key': otherKey, 'x-forwarded-for': '203.0.113.9' }).clientIp, '203.0.113.9');
    });

    test('a custom IP header is read only for the domain that configures it', () => {
      assert.equal(proxied({ 'true-client-ip': '203.0.113.77', 'x-forwarded-for': '203.0.113.9' }).clientIp, '203.0.113.9');
    });

    test('the edge certificate is URL-decoded PEM; SUCCESS means CA-verified', () => {
      assert.deepEqual(proxied({ 'client-certificate': encodeURIComponent(pem), 'client-certificate-ca-verified': 'SUCCESS' }).certificate, {
        pem,
        source: 'edge',
        caVerified: true,
      });
    });

    test('FAILED (with a reason), an absent verdict or another word is not CA-verified', () => {
      for (const verdict of ['FAILED: self signed certificate', 'FAILED', undefined, 'NONE', 'NOT SUCCESS']) {
        const headers: Record<string, string> = { 'client-certificate': encodeURIComponent(pem) };
        if (verdict !== undefined) headers['client-certificate-ca-verified'] = verdict;
        assert.equal(proxied(headers).certificate?.caVerified, false, String(verdict));
      }
    });

    test('the verdict is read case-insensitively', () => {
      assert.equal(proxied({ 'client-certificate': encodeURIComponent(pem), 'client-certificate-ca-verified': ' success ' }).certificate?.caVerified, true);
    });

    test('broken URL-encoding gives an empty PEM (refused later as unparseable)', () => {
      assert.equal(proxied({ 'client-certificate': '%E0%A4%A', 'client-certificate-ca-verified': 'SUCCESS' }).certificate?.pem, '');
    });

    test('no client-certificate header is no certificate', () => {
      assert.equal(proxied({ 'client-certificate-ca-verified': 'SUCCESS' }).certificate, undefined);
    });

    test("API Gateway's own certificate wins over the edge headers", () => {
      assert.deepEqual(proxied({ 'client-certificate': encodeURIComponent(pem), 'client-certificate-ca-verified': 'FAILED' }, gatewayPem).certificate, {
        pem: gatewayPem,
        source: 'gateway',
        caVerified: true,
      });
    });
  });
});
