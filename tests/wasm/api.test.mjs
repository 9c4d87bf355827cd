// The wasm facade as the page sees it (www/pkg/overlay.js after ./build.sh),
// loaded in Node: the shapes of results, error places, and odd input.
// Run: node --test tests/wasm/
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'www', 'pkg');
let Workspace;
let presets;

const KUSTOMIZATION = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n';
const CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: debug\n';

function workspace(files) {
  const ws = new Workspace();
  for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
  return ws;
}

describe('wasm Workspace', () => {
  before(async () => {
    assert.ok(existsSync(join(PKG, 'overlay_bg.wasm')), 'www/pkg/overlay_bg.wasm is missing: run ./build.sh first');
    const glue = await import(join(PKG, 'overlay.js'));
    glue.initSync({ module: readFileSync(join(PKG, 'overlay_bg.wasm')) });
    Workspace = glue.Workspace;
    presets = (await import(join(PKG, 'presets.js'))).default;
  });

  it('keeps files under normalised absolute paths', () => {
    const ws = workspace({ 'b/x.yaml': 'a: 1\n', '/a/./y.yaml': 'b: 2\n', 'c//d/../z.yaml': '' });
    assert.deepEqual(ws.files(), ['/a/y.yaml', '/b/x.yaml', '/c/z.yaml']);
    assert.equal(ws.removeFile('b/x.yaml'), true);
    assert.equal(ws.removeFile('b/x.yaml'), false);
    assert.deepEqual(ws.files(), ['/a/y.yaml', '/c/z.yaml']);
  });

  it('lists the environments of the fleet-infra preset in promotion order', () => {
    const ws = workspace(presets['fleet-infra']);
    assert.deepEqual(ws.environments(), [
      { path: '/apps/staging', name: 'staging', group: 'apps' },
      { path: '/apps/production', name: 'production', group: 'apps' },
      { path: '/apps/base/redis', name: 'redis', group: 'apps/base' },
      { path: '/infrastructure/staging', name: 'staging', group: 'infrastructure' },
      { path: '/infrastructure/production', name: 'production', group: 'infrastructure' },
    ]);
  });

  it('renders the fleet-infra preset exactly as kubectl kustomize did (tests/golden)', () => {
    const golden = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'fleet-infra');
    const results = workspace(presets['fleet-infra']).renderAll();
    const checked = [];
    for (const r of results) {
      const file = join(golden, `${r.path.slice(1).replaceAll('/', '-')}.yaml`);
      if (!existsSync(file)) continue; // apps/base/redis has no recording
      assert.equal(r.ok, true, `${r.path}: ${JSON.stringify(r.errors)}`);
      assert.equal(r.output, readFileSync(file, 'utf8'), r.path);
      checked.push(r.path);
    }
    assert.deepEqual(checked, ['/apps/staging', '/apps/production', '/infrastructure/staging', '/infrastructure/production']);
  });

  it('renders a kustomization', () => {
    const ws = workspace({ 'app/kustomization.yaml': `${KUSTOMIZATION}resources:\n- cm.yaml\n`, 'app/cm.yaml': CONFIGMAP });
    const result = ws.render('/app');
    assert.deepEqual(Object.keys(result).sort(), ['ok', 'output']);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.match(result.output, /^kind: ConfigMap$/m);
    assert.match(result.output, /^ {2}level: debug$/m);
    assert.deepEqual(ws.render('app'), result, 'a relative directory means the same');
  });

  it('reports an error with its file, line and column', () => {
    const ws = workspace({ 'app/kustomization.yaml': `${KUSTOMIZATION}resources:\n- cm.yaml\n`, 'app/cm.yaml': 'kind: ConfigMap\nmetadata: [\n' });
    const result = ws.render('/app');
    assert.equal(result.ok, false);
    assert.equal(result.output, undefined);
    assert.equal(result.errors.length, 1);
    const [e] = result.errors;
    assert.deepEqual(Object.keys(e).sort(), ['column', 'file', 'line', 'message']);
    assert.equal(e.file, '/app/cm.yaml');
    assert.equal(typeof e.line, 'number');
    assert.ok(e.line >= 2, `line ${e.line}`);
    assert.equal(typeof e.column, 'number');
    assert.ok(e.message.length > 0);
  });

  it('renders every environment, each with its own result', () => {
    const ws = workspace({
      'base/kustomization.yaml': `${KUSTOMIZATION}resources:\n- cm.yaml\n`,
      'base/cm.yaml': CONFIGMAP,
      'envs/prod/kustomization.yaml': `${KUSTOMIZATION}namespace: prod\nresources:\n- ../../base\n`,
      'envs/dev/kustomization.yaml': `${KUSTOMIZATION}namespace: dev\nresources:\n- ../../base\n- missing.yaml\n`,
    });
    const all = ws.renderAll();
    assert.deepEqual(all.map((r) => [r.path, r.name, r.group, r.ok]), [
      ['/envs/dev', 'dev', 'envs', false],
      ['/envs/prod', 'prod', 'envs', true],
    ]);
    assert.match(all[1].output, /^ {2}namespace: prod$/m);
    assert.equal(all[0].errors.length, 1);
    assert.match(all[0].errors[0].message, /missing\.yaml/);
  });

  it('answers odd input with errors, never a crash', () => {
    const ws = new Workspace();
    assert.deepEqual(ws.environments(), []);
    assert.deepEqual(ws.renderAll(), []);
    for (const dir of ['', '/', '/nowhere', '../..', '\u0000', 'a'.repeat(10_000)]) {
      const result = ws.render(dir);
      assert.equal(result.ok, false, `render(${JSON.stringify(dir.slice(0, 20))})`);
      assert.ok(result.errors.length > 0);
    }
    ws.setFile('', 'a file named like the root\n');
    ws.setFile('/', 'kind: Kustomization\n');
    ws.render('/');
    ws.renderAll();
    ws.removeFile('/');
    ws.setFile('k/kustomization.yaml', 'resources: [../k]\n');
    ws.setFile('l/kustomization.yaml', '\u0000\uffff: [\n');
    ws.setFile('m/kustomization.yaml', '- a\n- b\n');
    ws.setFile('n/kustomization.yaml', `${'['.repeat(5000)}\n`);
    const all = ws.renderAll();
    assert.deepEqual(all.map((r) => r.path), ['/k', '/l', '/m', '/n']);
    for (const r of all) assert.equal(typeof r.ok, 'boolean');
    // The workspace is still usable afterwards.
    ws.setFile('ok/kustomization.yaml', `${KUSTOMIZATION}resources:\n- cm.yaml\n`);
    ws.setFile('ok/cm.yaml', CONFIGMAP);
    assert.equal(ws.render('/ok').ok, true);
  });
});
