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
  const values = readFlags(argv);
  if (values.help) throw new UsageError('');
  const port = portNumber(values.port, '--port');
  let issuer = values.issuer ?? `http://localhost:${port}/`;
  if (!/^https?:\/\/[^/?#]+\/?$/.test(issuer)) throw new UsageError(`--issuer must be a base URL such as https://auth.example.com/, got ${issuer}`);
  if (!issuer.endsWith('/')) issuer += '/';
  let mtls: LocalOptions['mtls'];
  const { 'tls-cert': cert, 'tls-key': key, 'mtls-truststore': truststore } = values;
  if (values['mtls-port'] !== undefined) {
    if (!cert || !key || !truststore) throw new UsageError('--mtls-port needs --tls-cert, --tls-key and --mtls-truststore');
    mtls = { port: portNumber(values['mtls-port'], '--mtls-port'), cert, key, truststore };
  } else if (cert !== undefined || key !== undefined || truststore !== undefined) {
    throw new UsageError('--tls-cert, --tls-key and --mtls-truststore need --mtls-port');
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

/** Every malformed command line (unknown flag, stray argument, missing value) is a usage error. */
function readFlags(argv: string[]) {
  try {
    return parseArgs({
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
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export class UsageError extends Error {}

function portNumber(value: string | undefined, flag: string): number {
  // Digits only: Number() would also take '', '0x50' and '1e3'.
  const n = /^\d{1,5}$/.test(value ?? '') ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new UsageError(`${flag} must be a port number, got ${value}`);
  return n;
}
