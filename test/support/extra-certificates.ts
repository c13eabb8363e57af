import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestPki } from './certificates.ts';

/**
 * More client certificates for a test PKI (test/support/certificates.ts): another leaf signed
 * by its CA, or a self-signed one its truststore does not hold.
 */
export interface ClientCertificate {
  readonly cert: string;
  readonly key: string;
}

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

export async function issueClientCertificate(pki: TestPki, subject: string): Promise<ClientCertificate> {
  const name = `extra-${randomBytes(4).toString('hex')}`;
  openssl(pki.dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  openssl(pki.dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2']);
  return { cert: await readFile(join(pki.dir, `${name}.pem`), 'utf8'), key: await readFile(join(pki.dir, `${name}.key`), 'utf8') };
}

export async function selfSignedCertificate(pki: TestPki, subject: string): Promise<ClientCertificate> {
  const name = `self-${randomBytes(4).toString('hex')}`;
  openssl(pki.dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', subject]);
  return { cert: await readFile(join(pki.dir, `${name}.pem`), 'utf8'), key: await readFile(join(pki.dir, `${name}.key`), 'utf8') };
}

/** RFC 8705 §3.1: `x5t#S256` = base64url(SHA-256(DER of the certificate)). */
export function x5tS256(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
}
