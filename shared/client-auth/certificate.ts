import { X509Certificate } from 'node:crypto';
import { sha256Base64Url } from '../crypto/digest.ts';
import { invalidClient } from '../errors.ts';
import type { PresentedCertificate } from '../http/request-context.ts';

/**
 * A presented client certificate, parsed once. `x5t#S256` is base64url(SHA-256(DER)), the
 * value RFC 8705 §3.1 binds tokens to; it is also how self-signed certificates are matched.
 * The subject DN is compared in canonical form, never as the presenter's string (API Gateway
 * and Node format DNs differently, aws-notes §6).
 */
export interface ParsedCertificate {
  readonly presented: PresentedCertificate;
  readonly thumbprint: string;
  readonly subjectDn: string;
}

const parsed = new Map<string, { thumbprint: string; subjectDn: string; notAfter: number; notBefore: number }>();

export function parseCertificate(presented: PresentedCertificate, now = Date.now()): ParsedCertificate {
  let entry = parsed.get(presented.pem);
  if (!entry) {
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(presented.pem);
    } catch {
      throw invalidClient('Invalid client certificate', { detail: `unparseable ${presented.source} certificate` });
    }
    entry = {
      thumbprint: sha256Base64Url(x509.raw),
      subjectDn: canonicalDn(x509.subject),
      notAfter: Date.parse(x509.validTo),
      notBefore: Date.parse(x509.validFrom),
    };
    if (parsed.size > 1_000) parsed.clear();
    parsed.set(presented.pem, entry);
  }
  if (entry.notAfter < now || entry.notBefore > now) {
    throw invalidClient('Client certificate expired or not yet valid');
  }
  return { presented, thumbprint: entry.thumbprint, subjectDn: entry.subjectDn };
}

/**
 * A distinguished name as a sorted list of `TYPE=value` attributes, one per line. Accepts
 * Node's and Auth0's newline form (`C=US\nCN=client`) and RFC 4514's comma form
 * (`CN=client,C=US`); attribute order is ignored, type case is ignored, values are exact.
 * In both forms backslash escapes are RFC 4514's (`\,` `\+` `\"` … and hex pairs such as
 * `\2C`): Node escapes special characters even in its newline form (`O=Acme\, Inc.`) and
 * joins the attributes of a multi-valued RDN with ` + `, so `+` separates in both forms
 * while a comma separates only in the comma form.
 */
export function canonicalDn(dn: string): string {
  return splitUnescaped(dn, dn.includes('\n') ? '\n+' : ',+')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const attribute = eq === -1 ? part : `${part.slice(0, eq).trim().toUpperCase()}=${part.slice(eq + 1).trim()}`;
      // Re-escaped, so that a canonical DN read again is itself (callers canonicalise stored DNs).
      return attribute.replace(/[\\+,]/g, '\\$&').replace(/\n/g, '\\0A');
    })
    .sort()
    .join('\n');
}

/** Splits at unescaped separator characters and resolves the escapes. */
function splitUnescaped(dn: string, separators: string): string[] {
  const parts: string[] = [];
  let current = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length > 0) current += Buffer.from(bytes).toString('utf8');
    bytes = [];
  };
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i]!;
    if (ch === '\\' && /^[0-9A-Fa-f]{2}$/.test(dn.slice(i + 1, i + 3))) {
      bytes.push(parseInt(dn.slice(i + 1, i + 3), 16));
      i += 2;
      continue;
    }
    flush();
    if (ch === '\\' && i + 1 < dn.length) current += dn[++i];
    else if (separators.includes(ch)) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  flush();
  parts.push(current);
  return parts;
}
