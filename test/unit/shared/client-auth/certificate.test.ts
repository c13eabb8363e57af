import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { canonicalDn } from '../../../../shared/client-auth/certificate.ts';

/** A self-signed certificate for `subject` (openssl -subj syntax), with openssl's RFC 4514 rendering of it. */
function certificateFor(subject: string): { nodeSubject: string; rfc4514: string } {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-dn-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '1', '-utf8', '-subj', subject], { cwd: dir, stdio: 'ignore' });
    const rfc4514 = execFileSync('openssl', ['x509', '-in', 'c.pem', '-noout', '-subject', '-nameopt', 'RFC2253,-esc_msb'], { cwd: dir }).toString().trim().replace(/^subject=/, '');
    return { nodeSubject: new X509Certificate(readFileSync(join(dir, 'c.pem'))).subject, rfc4514 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('canonicalDn', () => {
  test('the newline form (Node, Auth0) and the RFC 4514 comma form give the same DN', () => {
    assert.equal(canonicalDn('C=US\nO=Tenant A\nCN=client-1'), canonicalDn('CN=client-1,O=Tenant A,C=US'));
  });

  test('attribute order is ignored', () => {
    assert.equal(canonicalDn('CN=client-1\nC=US\nO=Tenant A'), canonicalDn('C=US\nO=Tenant A\nCN=client-1'));
  });

  test('attribute type case and spaces around separators are ignored', () => {
    assert.equal(canonicalDn('cn = client-1 , o=Tenant A'), canonicalDn('CN=client-1\nO=Tenant A'));
  });

  test('values are compared exactly', () => {
    assert.notEqual(canonicalDn('CN=client-1,O=Tenant A'), canonicalDn('CN=Client-1,O=Tenant A'));
    assert.notEqual(canonicalDn('CN=client-1,O=Tenant A'), canonicalDn('CN=client-1,O=Tenant B'));
  });

  test('a different attribute set is a different DN', () => {
    assert.notEqual(canonicalDn('CN=client-1,O=Tenant A'), canonicalDn('CN=client-1,O=Tenant A,C=US'));
  });

  test('an escaped comma in the comma form stays inside its value', () => {
    assert.equal(canonicalDn('CN=Doe\\, John,O=Acme'), canonicalDn('O=Acme\nCN=Doe, John'));
    assert.notEqual(canonicalDn('CN=Doe\\, John,O=Acme'), canonicalDn('CN=Doe,CN=John,O=Acme'));
  });

  test("Node's escaped newline form matches the comma form and the plain newline form", () => {
    // Node renders `O=Acme, Inc.` as `O=Acme\, Inc.` even in its newline form.
    const node = 'C=US\nO=Acme\\, Inc.\nCN=Doe\\, John';
    assert.equal(canonicalDn(node), canonicalDn('CN=Doe\\, John,O=Acme\\, Inc.,C=US'));
    assert.equal(canonicalDn(node), canonicalDn('C=US\nO=Acme, Inc.\nCN=Doe, John'));
  });

  test('a multi-valued RDN matches whether written with + or split', () => {
    assert.equal(canonicalDn('C=US\nOU=a + CN=multi'), canonicalDn('CN=multi+OU=a,C=US'));
  });

  test('RFC 4514 hex escapes are decoded', () => {
    assert.equal(canonicalDn('CN=Doe\\2C John,O=Zo\\C3\\AB'), canonicalDn('O=Zoë\nCN=Doe, John'));
  });

  test('a canonical DN read again is unchanged (stored DNs are canonicalised again when compared)', () => {
    const dnText = fc.string({ unit: fc.constantFrom('C', 'N', 'O', 'a', '=', ',', '+', '\\', '\n', ' ', '2', 'F', 'é') });
    fc.assert(
      fc.property(dnText, (dn) => canonicalDn(canonicalDn(dn)) === canonicalDn(dn)),
      { numRuns: 2_000 },
    );
  });

  test('values holding escaped separators survive a second canonicalisation', () => {
    const once = canonicalDn('CN=a\\+b=c\\,d\\\\e,O=x');
    assert.equal(canonicalDn(once), once);
    assert.notEqual(once, canonicalDn('CN=a,B=c,D=e,O=x'));
  });

  for (const subject of ['/C=US/O=Tenant A/CN=client-1', '/C=US/O=Acme\\, Inc./OU=a+CN=multi/CN=Doe\\, John', '/CN=a\\+b=c/O=Zoë "q" <x>;y']) {
    test(`a real certificate's subject matches its RFC 4514 rendering: ${subject}`, () => {
      const { nodeSubject, rfc4514 } = certificateFor(subject);
      assert.equal(canonicalDn(nodeSubject), canonicalDn(rfc4514));
      assert.equal(canonicalDn(canonicalDn(rfc4514)), canonicalDn(nodeSubject));
    });
  }
});
