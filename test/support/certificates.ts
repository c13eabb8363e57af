import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real X.509 material for mTLS tests, made with the openssl CLI: a test CA, a server
 * certificate for 127.0.0.1/localhost, a CA-signed client certificate and a self-signed
 * one. The truststore holds the CA and the self-signed certificate, as an API Gateway
 * truststore must (aws-notes §0.4).
 */
export interface TestPki {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly truststore: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly clientSubject: string;
  readonly selfSignedCert: string;
  readonly selfSignedKey: string;
  /** Paths of the files, for the server's flags. */
  readonly files: { serverCert: string; serverKey: string; truststore: string };
}

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

export async function makeTestPki(clientSubject = '/C=US/O=Tenant A/CN=client-1'): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-pki-'));
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Portcullis Test CA']);
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext']);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', clientSubject]);
  openssl(dir, ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2']);
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-days', '2', '-subj', '/CN=self-signed-client']);
  const read = (f: string) => readFile(join(dir, f), 'utf8');
  const [caCert, serverCert, serverKey, clientCert, clientKey, selfSignedCert, selfSignedKey] = await Promise.all(
    ['ca.pem', 'server.pem', 'server.key', 'client.pem', 'client.key', 'self.pem', 'self.key'].map(read),
  );
  const truststore = `${caCert}${selfSignedCert}`;
  await writeFile(join(dir, 'truststore.pem'), truststore);
  return {
    dir,
    caCert: caCert!,
    serverCert: serverCert!,
    serverKey: serverKey!,
    truststore,
    clientCert: clientCert!,
    clientKey: clientKey!,
    clientSubject,
    selfSignedCert: selfSignedCert!,
    selfSignedKey: selfSignedKey!,
    files: { serverCert: join(dir, 'server.pem'), serverKey: join(dir, 'server.key'), truststore: join(dir, 'truststore.pem') },
  };
}
