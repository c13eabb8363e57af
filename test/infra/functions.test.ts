import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { functionGroups } from '#infra/routes';
import { tables } from '#infra/tables';
import { logicalIdOf, resourcesOfType, synth, type Resource } from './synth.ts';

const lambdas = () => resourcesOfType('AWS::Lambda::Function');
const layerId = () => logicalIdOf('SharedLayer', 'AWS::Lambda::LayerVersion');
/** Ours: every function except the custom-resource Provider framework's own. */
const ourFunctions = () => lambdas().filter(([id]) => !id.includes('Providerframework'));
const fn = (prefix: string) => synth().json.Resources[logicalIdOf(prefix, 'AWS::Lambda::Function')]!;

test('every Lambda function runs nodejs24.x on arm64', () => {
  assert.ok(lambdas().length >= Object.keys(functionGroups).length + 2, 'endpoint groups + keys + provider framework');
  for (const [id, resource] of lambdas()) {
    assert.equal(resource.Properties.Runtime, 'nodejs24.x', id);
    assert.deepEqual(resource.Properties.Architectures, ['arm64'], id);
  }
});

test('every function of ours uses the shared layer, which targets nodejs24.x on arm64', () => {
  const layer = synth().json.Resources[layerId()]!;
  assert.deepEqual(layer.Properties.CompatibleRuntimes, ['nodejs24.x']);
  assert.deepEqual(layer.Properties.CompatibleArchitectures, ['arm64']);
  assert.equal(ourFunctions().length, Object.keys(functionGroups).length + 1);
  for (const [id, resource] of ourFunctions()) assert.deepEqual(resource.Properties.Layers, [{ Ref: layerId() }], id);
});

test('endpoint functions: memory from the route table, 10 s, JSON logs into their own log group, active tracing', () => {
  for (const [name, group] of Object.entries(functionGroups)) {
    const { Properties: p } = fn(`${name.charAt(0).toUpperCase()}${name.slice(1)}Function`);
    assert.equal(p.MemorySize, group.memoryMiB, name);
    assert.equal(p.Timeout, 10, name);
    assert.equal(p.Handler, 'index.handler', name);
    assert.equal(p.LoggingConfig.LogFormat, 'JSON', name);
    assert.match(JSON.stringify(p.LoggingConfig.LogGroup), /Logs/, name);
    assert.deepEqual(p.TracingConfig, { Mode: 'Active' }, name);
  }
  for (const [id, group] of resourcesOfType('AWS::Logs::LogGroup')) assert.ok(group.Properties.RetentionInDays > 0, id);
});

test('endpoint functions get every variable shared/config.ts reads', () => {
  const tableVars = tables.map((t) => t.envVar);
  for (const name of Object.keys(functionGroups)) {
    const vars = fn(`${name.charAt(0).toUpperCase()}${name.slice(1)}Function`).Properties.Environment.Variables;
    for (const v of ['ISSUER', 'MTLS_BASE_URL', 'KEYSET_SECRET_ID', 'CONFIG_CACHE_MS', 'KEYSET_CACHE_MS', 'LOG_LEVEL', ...tableVars]) {
      assert.ok(vars[v] !== undefined, `${name}: ${v}`);
    }
    assert.deepEqual(vars.ISSUER, { 'Fn::Join': ['', ['https://', { Ref: 'DomainName' }, '/']] });
    assert.deepEqual(vars.MTLS_BASE_URL, { 'Fn::Join': ['', ['https://', { Ref: 'MtlsDomainName' }, '/']] });
    assert.deepEqual(vars.KEYSET_SECRET_ID, { Ref: logicalIdOf('KeysetSecret', 'AWS::SecretsManager::Secret') });
    assert.deepEqual(vars.LOG_LEVEL, { Ref: 'LogLevel' });
    for (const t of tables) {
      assert.deepEqual(vars[t.envVar], { Ref: logicalIdOf(`${t.id.charAt(0).toUpperCase()}${t.id.slice(1)}Table`, 'AWS::DynamoDB::GlobalTable') });
    }
  }
});

// --- The built bundles load on Node 24 with the layer, and nothing else, beside them ---

const workDir = mkdtempSync(join(tmpdir(), 'portcullis-bundles-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

/** The bundled asset folder of a Lambda function or layer in the cloud assembly. */
function assetDir(resource: Resource): string {
  const key: string = (resource.Properties.Code ?? resource.Properties.Content).S3Key;
  return join(synth().outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

test('each function bundle imports shared code from the layer and exports handler', async () => {
  const layerModules = join(assetDir(synth().json.Resources[layerId()]!), 'nodejs', 'node_modules');
  const dirs: Record<string, string> = {};
  for (const [id, resource] of ourFunctions()) {
    const bundle = assetDir(resource);
    const code = readFileSync(join(bundle, 'index.mjs'), 'utf8');
    assert.match(code, /["']@portcullis\/shared\//, `${id} imports the layer's package`);
    assert.doesNotMatch(code, /["']#shared\//, `${id} has no #shared specifier left for Lambda to resolve`);
    assert.deepEqual(JSON.parse(readFileSync(join(bundle, 'package.json'), 'utf8')), { type: 'module' });
    // Outside the repository, so nothing but the layer can satisfy an import.
    dirs[id] = join(workDir, id);
    cpSync(bundle, dirs[id]!, { recursive: true });
    cpSync(layerModules, join(dirs[id]!, 'node_modules'), { recursive: true });
  }
  const script = `
    const dirs = ${JSON.stringify(dirs)};
    const out = {};
    for (const [id, dir] of Object.entries(dirs)) out[id] = typeof (await import(dir + '/index.mjs')).handler;
    const keys = await import(Object.entries(dirs).find(([id]) => id.startsWith('KeysFunction'))[1] + '/index.mjs');
    process.env.KEYSET_SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:test';
    out.keysUnknownEvent = await keys.handler({ action: 'nothing' }).then(() => 'resolved', (e) => e.message);
    process.stdout.write(JSON.stringify(out));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: workDir, env: { PATH: process.env.PATH } });
  const result = JSON.parse(stdout) as Record<string, string>;
  for (const id of Object.keys(dirs)) assert.equal(result[id], 'function', `${id} exports handler`);
  assert.match(result.keysUnknownEvent!, /unknown event/);
});
