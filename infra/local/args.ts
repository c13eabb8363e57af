import { parseArgs } from 'node:util';

/**
 * The `npm start` contract (issue 2 §2), plus the optional mTLS listener:
 *   npm start -- [--port 3000] [--tenant FILE] [--issuer URL] [--in-memory] [--data-dir .local]
 *                [--mtls-port N --tls-cert PEM --tls-key PEM --mtls-truststore PEM]
 */
export interface LocalOptions {
  readonly port: number;
  readonly tenantFile: string | undefined;
  readonly issuer: string;
  readonly inMemory: boolean;
  readonly dataDir: string;
  readonly mtls: { port: number; cert: string; key: string; truststore: string } | undefined;
}

export const usage =
  'usage: npm start -- [--port 3000] [--tenant FILE] [--issuer URL] [--in-memory] [--data-dir .local]\n' +
  '                    [--mtls-port N --tls-cert FILE --tls-key FILE --mtls-truststore FILE]';

export function parseLocalArgs(argv: string[]): LocalOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string', default: '3000' },
      tenant: { type: 'string' },
      issuer: { type: 'string' },
      'in-memory': { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: '.local' },
      'mtls-port': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'mtls-truststore': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new UsageError('');
  const port = portNumber(values.port, '--port');
  let issuer = values.issuer ?? `http://localhost:${port}/`;
  if (!/^https?:\/\/[^/?#]+\/?$/.test(issuer)) throw new UsageError(`--issuer must be a base URL such as https://auth.example.com/, got ${issuer}`);
  if (!issuer.endsWith('/')) issuer += '/';
  let mtls: LocalOptions['mtls'];
  if (values['mtls-port'] !== undefined) {
    const { 'tls-cert': cert, 'tls-key': key, 'mtls-truststore': truststore } = values;
    if (!cert || !key || !truststore) throw new UsageError('--mtls-port needs --tls-cert, --tls-key and --mtls-truststore');
    mtls = { port: portNumber(values['mtls-port'], '--mtls-port'), cert, key, truststore };
  }
  return {
    port,
    tenantFile: values.tenant,
    issuer,
    inMemory: values['in-memory'] ?? false,
    dataDir: values['data-dir'] ?? '.local',
    mtls,
  };
}

export class UsageError extends Error {}

function portNumber(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number, got ${value}`);
  return n;
}
