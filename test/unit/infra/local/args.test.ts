import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLocalArgs, UsageError } from '../../../../infra/local/args.ts';

const usageError = (pattern?: RegExp) => (error: unknown) => error instanceof UsageError && (!pattern || pattern.test(error.message));

describe('parseLocalArgs', () => {
  test('defaults: port 3000, issuer on localhost, data in .local, persistent, no mTLS, no tenant file', () => {
    assert.deepEqual(parseLocalArgs([]), { port: 3000, tenantFile: undefined, issuer: 'http://localhost:3000/', inMemory: false, dataDir: '.local', mtls: undefined });
  });

  test('the default issuer follows the port', () => {
    assert.equal(parseLocalArgs(['--port', '4100']).issuer, 'http://localhost:4100/');
  });

  test('every flag is read', () => {
    assert.deepEqual(parseLocalArgs(['--port=8080', '--tenant', 't.yaml', '--issuer', 'https://auth.example.com/', '--in-memory', '--data-dir', '/tmp/d']), {
      port: 8080,
      tenantFile: 't.yaml',
      issuer: 'https://auth.example.com/',
      inMemory: true,
      dataDir: '/tmp/d',
      mtls: undefined,
    });
  });

  test('an issuer without a trailing slash gets one', () => {
    assert.equal(parseLocalArgs(['--issuer', 'https://auth.example.com']).issuer, 'https://auth.example.com/');
    assert.equal(parseLocalArgs(['--issuer', 'http://127.0.0.1:3000']).issuer, 'http://127.0.0.1:3000/');
  });

  test('an issuer with a path, query or another scheme is a usage error', () => {
    for (const issuer of ['https://auth.example.com/tenant/', 'https://auth.example.com/?x=1', 'ftp://auth.example.com/', 'auth.example.com']) {
      assert.throws(() => parseLocalArgs(['--issuer', issuer]), usageError(/--issuer must be a base URL/), issuer);
    }
  });

  test('a port that is not a port number is a usage error', () => {
    for (const port of ['abc', '70000', '3000.5', '-1', '', '0x50', '1e3', ' 80']) {
      assert.throws(() => parseLocalArgs([`--port=${port}`]), usageError(/--port must be a port number/), port);
    }
  });

  test('--mtls-port with its three files gives the mTLS listener', () => {
    assert.deepEqual(parseLocalArgs(['--mtls-port', '3443', '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--mtls-truststore', 't.pem']).mtls, {
      port: 3443,
      cert: 'c.pem',
      key: 'k.pem',
      truststore: 't.pem',
    });
  });

  test('--mtls-port without all three files is a usage error', () => {
    for (const missing of ['--tls-cert', '--tls-key', '--mtls-truststore']) {
      const args = ['--mtls-port', '3443', '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--mtls-truststore', 't.pem'];
      args.splice(args.indexOf(missing), 2);
      assert.throws(() => parseLocalArgs(args), usageError(/--mtls-port needs --tls-cert, --tls-key and --mtls-truststore/), missing);
    }
  });

  test('a bad --mtls-port is a usage error', () => {
    assert.throws(() => parseLocalArgs(['--mtls-port', 'x', '--tls-cert', 'c', '--tls-key', 'k', '--mtls-truststore', 't']), usageError(/--mtls-port must be a port number/));
  });

  test('mTLS files without --mtls-port are a usage error, not silently ignored', () => {
    assert.throws(() => parseLocalArgs(['--tls-cert', 'c.pem']), usageError(/need --mtls-port/));
  });

  test('an unknown flag is a usage error', () => {
    assert.throws(() => parseLocalArgs(['--prot', '3000']), usageError(/--prot/));
  });

  test('a positional argument is a usage error', () => {
    assert.throws(() => parseLocalArgs(['tenant.yaml']), usageError(/tenant\.yaml/));
  });

  test('a flag without its value is a usage error', () => {
    assert.throws(() => parseLocalArgs(['--port']), usageError(/--port/));
  });

  test('--help is a usage error without a message (the usage is printed)', () => {
    assert.throws(() => parseLocalArgs(['--help']), (error: unknown) => error instanceof UsageError && error.message === '');
  });
});
