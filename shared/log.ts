/**
 * One JSON line per event on stdout/stderr (CloudWatch parses it). Callers pass only
 * non-secret fields: identifiers, error codes, internal details — never a token, secret,
 * code, password or certificate.
 */
type Fields = Record<string, unknown>;
const debugEnabled = () => process.env.LOG_LEVEL === 'debug';

function write(stream: NodeJS.WriteStream, level: string, message: string, fields: Fields): void {
  stream.write(`${JSON.stringify({ level, message, time: new Date().toISOString(), ...fields })}\n`);
}

export const log = {
  debug: (message: string, fields: Fields = {}) => {
    if (debugEnabled()) write(process.stdout, 'debug', message, fields);
  },
  info: (message: string, fields: Fields = {}) => write(process.stdout, 'info', message, fields),
  warn: (message: string, fields: Fields = {}) => write(process.stderr, 'warn', message, fields),
  error: (message: string, fields: Fields = {}) => write(process.stderr, 'error', message, fields),
};
