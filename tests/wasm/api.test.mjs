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

// What `promote --images` proposes for STAGING_BUMPED below.
const PATCH = `diff --git a/apps/production/kustomization.yaml b/apps/production/kustomization.yaml
--- a/apps/production/kustomization.yaml
+++ b/apps/production/kustomization.yaml
@@ -5,3 +5,6 @@
 - ../base/my-app
 patches:
 - path: my-app-patch.yaml
+images:
+- name: ghcr.io/my-org/my-app
+  newTag: 1.1.0
`;

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
    assert.equal(ws.getFile('a/y.yaml'), 'b: 2\n');
    assert.equal(ws.getFile('/c/z.yaml'), '');
    assert.equal(ws.getFile('b/x.yaml'), undefined);
  });

  it('takes binary files as bytes: a generator puts them into binaryData, as kubectl kustomize does', () => {
    const ws = new Workspace();
    ws.setFileBytes('logo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80, 0x00]));
    ws.setFile('kustomization.yaml', 'configMapGenerator:\n- name: assets\n  files:\n  - logo.png\n  literals:\n  - mode=dark\n');
    const r = ws.render('/');
    assert.equal(r.ok, true, JSON.stringify(r.errors));
    // kubectl kustomize (v5.5.0) of the same two files.
    assert.equal(r.output, 'apiVersion: v1\nbinaryData:\n  logo.png: iVBORw0KGgoA//6AAA==\ndata:\n  mode: dark\nkind: ConfigMap\nmetadata:\n  name: assets-hmkt67bh2f\n');
    // Text given as bytes is the same file as text.
    ws.setFileBytes('kustomization.yaml', new TextEncoder().encode('resources:\n- cm.yaml\n'));
    ws.setFile('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
    assert.equal(ws.render('/').output, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
  });

  it('lists the environments of the fleet-infra preset in promotion order', () => {
    const ws = workspace(presets['fleet-infra']);
    assert.deepEqual(ws.environments(), [
      { path: '/apps/staging', name: 'staging', group: 'apps' },
      { path: '/apps/production', name: 'production', group: 'apps' },
      { path: '/infrastructure/staging', name: 'staging', group: 'infrastructure' },
      { path: '/infrastructure/production', name: 'production', group: 'infrastructure' },
    ]);
  });

  it('classifies every kustomization directory and renders pinned ones (kustomizations, setPinned)', () => {
    const ws = workspace(presets['fleet-infra']);
    const all = ws.kustomizations();
    assert.deepEqual(all.slice(0, 4).map((k) => [k.path, k.role]), [
      ['/apps/staging', 'environment'], ['/apps/production', 'environment'],
      ['/infrastructure/staging', 'environment'], ['/infrastructure/production', 'environment'],
    ]);
    const myApp = all.find((k) => k.path === '/apps/base/my-app');
    assert.deepEqual(myApp, { path: '/apps/base/my-app', name: 'my-app', group: 'apps/base', role: 'base', reason: 'used by 2: apps/production, apps/staging' });
    for (const k of all) assert.deepEqual(Object.keys(k), ['path', 'name', 'group', 'role', 'reason']);

    assert.deepEqual(ws.setPinned(['apps/base/my-app']), { ok: true });
    assert.deepEqual(ws.kustomizations().find((k) => k.path === '/apps/base/my-app').reason, 'pinned');
    assert.deepEqual(ws.environments().map((e) => e.path), [
      '/apps/staging', '/apps/production', '/apps/base/my-app', '/infrastructure/staging', '/infrastructure/production',
    ]);
    const rendered = ws.renderAll().find((r) => r.path === '/apps/base/my-app');
    assert.equal(rendered.ok, true);
    assert.equal(rendered.output, ws.render('/apps/base/my-app').output);
    assert.deepEqual(ws.setPinned([]), { ok: true });
    assert.deepEqual(ws.renderAll().map((r) => r.path), ['/apps/staging', '/apps/production', '/infrastructure/staging', '/infrastructure/production']);
    // Not a list of strings: an error, and the pins stay as they were.
    assert.equal(ws.setPinned('apps/base/my-app').ok, false);
    assert.equal(ws.setPinned([1]).ok, false);
    assert.equal(ws.environments().length, 4);
  });

  it('renders the fleet-infra preset exactly as kubectl kustomize did (tests/golden)', () => {
    const golden = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'fleet-infra');
    const results = workspace(presets['fleet-infra']).renderAll();
    const checked = [];
    for (const r of results) {
      const file = join(golden, `${r.path.slice(1).replaceAll('/', '-')}.yaml`);
      assert.equal(r.ok, true, `${r.path}: ${JSON.stringify(r.errors)}`);
      assert.equal(r.output, readFileSync(file, 'utf8'), r.path);
      checked.push(r.path);
    }
    assert.deepEqual(checked, ['/apps/staging', '/apps/production', '/infrastructure/staging', '/infrastructure/production']);
  });

  it('renders the app-components preset exactly as kubectl kustomize did (tests/golden)', () => {
    const golden = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'app-components');
    const results = workspace(presets['app-components']).renderAll();
    assert.deepEqual(results.map((r) => r.path), ['/overlays/dev', '/overlays/staging', '/overlays/production']);
    for (const r of results) {
      assert.equal(r.ok, true, `${r.path}: ${JSON.stringify(r.errors)}`);
      assert.equal(r.output, readFileSync(join(golden, `${r.path.slice(1).replaceAll('/', '-')}.yaml`), 'utf8'), r.path);
    }
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

  it('re-renders after every edit as a fresh workspace would, though it reuses unchanged renders', () => {
    const files = { ...presets['fleet-infra'] };
    const ws = workspace(files);
    const fresh = () => workspace(files).renderAll();
    const check = (what) => assert.deepEqual(ws.renderAll(), fresh(), what);
    check('first render');
    const edit = (path, text) => {
      if (text == null) { delete files[path]; ws.removeFile(path); } else { files[path] = text; ws.setFile(path, text); }
      check(`after editing ${path}`);
    };
    const patch = 'apps/production/my-app-patch.yaml';
    const original = files[patch];
    edit(patch, original.replace('replicas: 5', 'replicas: 57'));
    assert.match(ws.renderAll().find((r) => r.path === '/apps/production').output, /replicas: 57/);
    edit(patch, original.replace('replicas: 5', 'replicas: [')); // half-typed
    edit(patch, original);
    assert.match(ws.renderAll().find((r) => r.path === '/apps/production').output, /replicas: 5\n/);
    edit('apps/base/my-app/deployment.yaml', files['apps/base/my-app/deployment.yaml'].replace('1.0.0', '2.0.0'));
    edit('apps/base/my-app/service.yaml', null);
    edit('apps/base/my-app/service.yaml', presets['fleet-infra']['apps/base/my-app/service.yaml']);
    edit('apps/qa/kustomization.yaml', `${KUSTOMIZATION}resources:\n- ../staging\n`);
    edit('apps/qa/kustomization.yaml', null);
  });

  it('renders, diffs and promotes the deepest YAML it accepts within the 1 MiB wasm stack', () => {
    // 200 levels of mappings, as tests/bad_inputs.rs two_hundred_levels
    // (src/limits.rs MAX_YAML_DEPTH); the strategic merge patch is the file itself.
    const deep = (levels, leaf) => {
      let t = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n';
      for (let i = 0; i < levels; i++) t += `${' '.repeat(2 * (i + 1))}a:\n`;
      return `${t}${' '.repeat(2 * (levels + 1))}b: ${leaf}\n`;
    };
    const k = 'resources:\n- cm.yaml\nnamePrefix: p-\ncommonLabels: {a: b}\npatches:\n- path: cm.yaml\n';
    const ws = workspace({ 'x/kustomization.yaml': k, 'x/cm.yaml': deep(198, 'c'), 'y/kustomization.yaml': k, 'y/cm.yaml': deep(198, 'd') });
    const r = ws.render('x');
    assert.equal(r.ok, true, JSON.stringify(r.errors));
    assert.match(r.output, /^ {398}b: c$/m);
    assert.equal(ws.diff('x', 'y').ok, true);
    assert.equal(ws.promote('x', 'y', { all: true }).ok, true);
    ws.setFile('x/cm.yaml', deep(199, 'c'));
    assert.match(ws.render('x').errors[0].message, /deeper than 200 levels/);
    // A JSON patch that copies a 120-deep value into itself: refused, not a crash.
    const nest = Array.from({ length: 120 }).reduce((inner) => `{a: ${inner}}`, 'x');
    const j = workspace({
      'kustomization.yaml': 'resources:\n- cm.yaml\npatches:\n- path: p.yaml\n  target:\n    kind: ConfigMap\n',
      'cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: ${nest}\n`,
      'p.yaml': `- op: copy\n  from: /data\n  path: /data${'/a'.repeat(119)}/b\n`,
    });
    assert.match(j.render('/').errors[0].message, /nests the resource deeper than 200 levels/);
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

// Staging's kustomization after someone bumped its image: what
// `promote --images` carries to production.
const STAGING_BUMPED = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: staging
resources:
- ../base/my-app
patches:
- path: my-app-patch.yaml
images:
- name: ghcr.io/my-org/my-app
  newTag: 1.1.0
`;

describe('wasm Workspace: diff, promotion, history', () => {
  it('diffs staging → production: replicas 2 → 5, one unified view', () => {
    const ws = workspace(presets['fleet-infra']);
    const d = ws.diff('apps/staging', 'apps/production');
    assert.equal(d.ok, true, JSON.stringify(d.errors));
    assert.deepEqual(
      Object.keys(d).sort(),
      ['equal', 'from', 'ok', 'resources', 'summary', 'to', 'unified', 'version'],
    );
    assert.equal(d.version, 1);
    assert.equal(d.from, 'apps/staging');
    assert.equal(d.to, 'apps/production');
    assert.equal(d.equal, false);
    const deployment = d.resources.find((r) => r.after?.kind === 'Deployment');
    assert.equal(deployment.status, 'changed');
    assert.equal(deployment.title, 'Deployment/my-app (staging → production)');
    const replicas = deployment.changes.find((c) => c.path === 'spec.replicas');
    assert.deepEqual(replicas, { op: 'changed', path: 'spec.replicas', pointer: '/spec/replicas', before: 2, after: 5 });
    assert.match(deployment.unified, /^-  replicas: 2$/m);
    assert.match(deployment.unified, /^\+  replicas: 5$/m);
    assert.match(d.unified, /^--- a\/apps\/staging$/m);
    assert.match(d.unified, /^\+\+\+ b\/apps\/production$/m);
    assert.match(d.unified, /^\+  replicas: 5$/m);

    const ignoring = ws.diff('/apps/staging', '/apps/production', { ignore: ['spec.replicas'] });
    const dep = ignoring.resources.find((r) => r.after?.kind === 'Deployment');
    assert.ok(!dep.changes.some((c) => c.path === 'spec.replicas'));
    const strict = ws.diff('apps/staging', 'apps/production', { strictNamespaces: true });
    assert.equal(strict.summary.changed, 0);
    assert.ok(strict.summary.added > 0 && strict.summary.added === strict.summary.removed);
    assert.equal(ws.diff('apps/staging', 'apps/staging').equal, true);
  });

  it('answers diff errors with places', () => {
    const ws = workspace(presets['fleet-infra']);
    ws.setFile('apps/production/my-app-patch.yaml', 'kind: Deployment\nmetadata: [\n');
    const d = ws.diff('apps/staging', 'apps/production');
    assert.equal(d.ok, false);
    assert.equal(d.errors[0].file, '/apps/production/my-app-patch.yaml');
    assert.equal(typeof d.errors[0].line, 'number');
    for (const bad of [{ ignores: ['x'] }, { ignore: 'spec' }, { context: -1 }, { ignore: [''] }, 7, 'x']) {
      const r = ws.diff('apps/staging', 'apps/staging', bad);
      assert.equal(r.ok, false, JSON.stringify(bad));
      assert.ok(r.errors[0].message.length > 0);
    }
  });

  it('promotes an image bump from staging to production', () => {
    const ws = workspace({ ...presets['fleet-infra'], 'apps/staging/kustomization.yaml': STAGING_BUMPED });
    const before = ws.files().map((f) => [f]);
    const p = ws.promote('apps/staging', 'apps/production', { images: true });
    assert.equal(p.ok, true, JSON.stringify(p.errors));
    assert.equal(p.noop, false);
    assert.equal(p.from, 'apps/staging');
    assert.equal(p.to, 'apps/production');
    assert.match(p.message, /^Promote images from apps\/staging to apps\/production\n/);
    assert.deepEqual(p.images, [{ name: 'ghcr.io/my-org/my-app', before: null, after: 'ghcr.io/my-org/my-app:1.1.0' }]);
    assert.equal(p.files.length, 1);
    assert.equal(p.files[0].path, 'apps/production/kustomization.yaml');
    assert.equal(p.files[0].before, presets['fleet-infra']['apps/production/kustomization.yaml']);
    assert.match(p.files[0].after, /newTag: 1\.1\.0/);
    assert.equal(p.patch, PATCH);
    const dep = p.rendered.resources.find((r) => r.after?.kind === 'Deployment');
    assert.deepEqual(dep.changes.map((c) => [c.path, c.before, c.after]), [
      ['spec.template.spec.containers[name=app].image', 'ghcr.io/my-org/my-app:1.0.0', 'ghcr.io/my-org/my-app:1.1.0'],
    ]);
    assert.match(dep.unified, /^- {6}- image: ghcr.io\/my-org\/my-app:1.0.0$/m);
    assert.match(dep.unified, /^\+ {6}- image: ghcr.io\/my-org\/my-app:1.1.0$/m);
    assert.equal(p.remaining, null);
    assert.deepEqual(ws.files().map((f) => [f]), before, 'promote changes nothing');
    assert.equal(ws.history().length, 0);

    const noop = workspace(presets['fleet-infra']).promote('apps/staging', 'apps/production');
    assert.equal(noop.ok, true);
    assert.equal(noop.noop, true);
    assert.ok(noop.notes.some((n) => n.includes('nothing to promote')), JSON.stringify(noop.notes));
    assert.equal(noop.patch, '');
  });

  it('promotes everything, files and answers errors', () => {
    const ws = workspace(presets['fleet-infra']);
    const all = ws.promote('apps/staging', 'apps/production', { all: true, ignore: ['spec.replicas'] });
    assert.equal(all.ok, true, JSON.stringify(all.errors));
    assert.equal(typeof all.remaining.equal, 'boolean');
    const file = ws.promote('apps/staging', 'apps/production', { files: ['my-app-patch.yaml'] });
    assert.equal(file.ok, true, JSON.stringify(file.errors));
    assert.deepEqual(file.files.map((f) => f.path), ['apps/production/my-app-patch.yaml']);
    assert.equal(file.files[0].after, presets['fleet-infra']['apps/staging/my-app-patch.yaml']);
    for (const [a, b, o] of [['apps/staging', 'apps/staging', {}], ['nowhere', 'apps/production', {}], ['apps/staging', 'apps/production', { image: true }]]) {
      const r = ws.promote(a, b, o);
      assert.equal(r.ok, false, `${a} ${b} ${JSON.stringify(o)}`);
      assert.ok(r.errors[0].message.length > 0);
    }
  });

  it('applies a promotion, exports its patch, and reverts it', () => {
    const files = { ...presets['fleet-infra'], 'apps/staging/kustomization.yaml': STAGING_BUMPED };
    const ws = workspace(files);
    const proposed = ws.promote('apps/staging', 'apps/production');
    const applied = ws.applyPromotion('apps/staging', 'apps/production');
    assert.equal(applied.ok, true, JSON.stringify(applied.errors));
    assert.deepEqual(applied, { ok: true, index: 0, message: proposed.message, files: ['/apps/production/kustomization.yaml'], patch: proposed.patch });
    assert.match(ws.render('apps/production').output, /image: ghcr.io\/my-org\/my-app:1.1.0/);
    assert.equal(ws.promote('apps/staging', 'apps/production').noop, true);
    const again = ws.applyPromotion('apps/staging', 'apps/production');
    assert.equal(again.ok, false);
    assert.match(again.errors[0].message, /nothing to promote/);
    assert.deepEqual(ws.exportPatch(0), applied);
    assert.deepEqual(ws.exportPatch(), applied);

    const back = ws.revert(0);
    assert.equal(back.ok, true, JSON.stringify(back.errors));
    assert.equal(back.index, 1);
    assert.match(back.message, /^Revert "Promote images from apps\/staging to apps\/production"/);
    assert.match(back.patch, /^-images:$/m);
    const render = workspace(files).render('apps/production').output;
    assert.equal(ws.render('apps/production').output, render, 'the revert restores the render');
    const restored = workspace(files);
    assert.deepEqual(ws.files(), restored.files());
    for (const path of restored.files()) assert.equal(ws.getFile(path), restored.getFile(path), path);
    assert.deepEqual(ws.history().map((e) => [e.index, e.message.split('\n')[0]]), [
      [0, 'Promote images from apps/staging to apps/production'],
      [1, 'Revert "Promote images from apps/staging to apps/production"'],
    ]);
    assert.equal(ws.promote('apps/staging', 'apps/production').noop, false, 'the bump is pending again');

    // A file edited since cannot be reverted; nothing changes.
    ws.applyPromotion('apps/staging', 'apps/production');
    ws.setFile('apps/production/kustomization.yaml', 'edited: true\n');
    const conflict = ws.revert(2);
    assert.equal(conflict.ok, false);
    assert.match(conflict.errors[0].message, /apps\/production\/kustomization.yaml/);
    assert.equal(ws.history().length, 3);
    for (const i of [99, -1]) assert.equal(ws.revert(i).ok, false);
    assert.equal(ws.exportPatch(99).ok, false);
    assert.equal(new Workspace().exportPatch().ok, false);
    assert.deepEqual(new Workspace().history(), []);
  });

  it('asks before an everything promotion changes what looks environment-specific', () => {
    const ws = workspace(presets['fleet-infra']);
    const p = ws.promote('apps/staging', 'apps/production', { all: true });
    assert.equal(p.ok, true, JSON.stringify(p.errors));
    assert.equal(p.confirmed, false);
    assert.deepEqual(p.specific, [{ check: 'replicas', at: 'Deployment/production/my-app spec.replicas', change: '5 → 2' }]);
    assert.deepEqual(p.imageDifferences, []);
    const refused = ws.applyPromotion('apps/staging', 'apps/production', { all: true });
    assert.equal(refused.ok, false);
    assert.match(refused.errors[0].message, /^not written: 1 change\(s\) look specific to apps\/production/);
    assert.equal(ws.history().length, 0, 'nothing written');
    // Production declares its replicas its own: nothing left to confirm.
    assert.equal(ws.promote('apps/staging', 'apps/production', { all: true, keep: ['spec.replicas'] }).confirmed, true);
    // The second click confirms.
    const applied = ws.applyPromotion('apps/staging', 'apps/production', { all: true, force: true });
    assert.equal(applied.ok, true, JSON.stringify(applied.errors));
    assert.match(ws.render('apps/production').output, /replicas: 2/);
  });
});

describe('wasm Workspace: Flux and lint', () => {
  it('finds the cluster directories', () => {
    assert.deepEqual(workspace(presets['fleet-infra']).clusters(), [
      { path: '/clusters/production', name: 'production' },
      { path: '/clusters/staging', name: 'staging' },
    ]);
    assert.deepEqual(workspace(presets['clusters-per-env']).clusters(), [{ path: '/flux-system', name: 'flux-system' }]);
    assert.deepEqual(new Workspace().clusters(), []);
  });

  it('renders clusters/production: infrastructure before apps, owner labels, staged order', () => {
    const ws = workspace(presets['fleet-infra']);
    const f = ws.flux('clusters/production');
    assert.equal(f.ok, true, JSON.stringify(f.errors));
    assert.equal(f.dir, '/clusters/production');
    assert.equal(f.root, '/');
    assert.deepEqual(f.order, ['flux-system/infrastructure', 'flux-system/apps']);
    assert.equal(f.orderError, null);
    assert.deepEqual(f.kustomizations.map((k) => [k.key, k.status, k.path]), [
      ['flux-system/infrastructure', 'rendered', './infrastructure/production'],
      ['flux-system/apps', 'rendered', './apps/production'],
    ]);
    assert.deepEqual(f.edges, [{ from: 'flux-system/infrastructure', to: 'flux-system/apps', kind: 'dependsOn' }]);
    const [infra, apps] = f.kustomizations;
    assert.deepEqual(apps.dependsOn, ['flux-system/infrastructure']);
    assert.equal(apps.declaredAt.file, '/clusters/production/apps.yaml');
    assert.match(apps.output, /^ {4}kustomize.toolkit.fluxcd.io\/name: apps$/m);
    assert.match(apps.output, /^ {4}kustomize.toolkit.fluxcd.io\/namespace: flux-system$/m);
    assert.match(infra.output, /^ {4}kustomize.toolkit.fluxcd.io\/name: infrastructure$/m);
    assert.match(apps.output, /replicas: 5/);
    // Namespaces are applied in the first stage, before what goes into them.
    assert.equal(infra.objects[0].stage, 'definitions');
    assert.equal(infra.objects[0].kind, 'Namespace');
    const stages = infra.objects.map((o) => o.stage);
    assert.deepEqual(stages, [...stages].sort((a, b) => ['definitions', 'classes', 'rest'].indexOf(a) - ['definitions', 'classes', 'rest'].indexOf(b)));
    assert.deepEqual(apps.healthChecks, [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'production', name: 'my-app' }]);
    const health = f.findings.filter((x) => x.rule === 'health-checks');
    assert.equal(health.length, 1, JSON.stringify(f.findings));
    assert.equal(health[0].file, '/clusters/production/apps.yaml');
    assert.match(health[0].message, /wait: true/);
  });

  it('reports a dependsOn cycle and build failures with places', () => {
    const ws = workspace(presets['fleet-infra']);
    const infra = presets['fleet-infra']['clusters/production/infrastructure.yaml'];
    ws.setFile('clusters/production/infrastructure.yaml', infra.replace('  interval: 10m\n', '  interval: 10m\n  dependsOn:\n  - name: apps\n'));
    ws.setFile('apps/production/my-app-patch.yaml', 'kind: [\n');
    const f = ws.flux('/clusters/production');
    assert.equal(f.ok, true);
    assert.match(f.orderError.message, /circular dependency/);
    assert.equal(f.orderError.file, '/clusters/production/infrastructure.yaml', 'the dependsOn entry that closes the cycle');
    assert.equal(typeof f.orderError.line, 'number');
    const apps = f.kustomizations.find((k) => k.name === 'apps');
    assert.equal(apps.status, 'failed');
    assert.equal(apps.errors[0].file, '/apps/production/my-app-patch.yaml');
    assert.equal(typeof apps.errors[0].line, 'number');
  });

  it('renders the clusters-per-env cluster', () => {
    const f = workspace(presets['clusters-per-env']).flux('flux-system');
    assert.equal(f.ok, true, JSON.stringify(f.errors));
    assert.deepEqual(f.kustomizations.map((k) => k.name).sort(), ['dev', 'prod', 'staging']);
    const prod = f.kustomizations.find((k) => k.name === 'prod');
    assert.match(prod.output, /replicas: 5/);
    assert.match(prod.output, /kustomize.toolkit.fluxcd.io\/name: prod/);
  });

  it('shows what a change prunes, alone and in a promotion preview', () => {
    const files = presets['fleet-infra'];
    const ws = workspace(files);
    assert.deepEqual(ws.prune('clusters/production', files), { ok: true, entries: [] });
    ws.setFile('apps/base/my-app/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deployment.yaml\n');
    const p = ws.prune('clusters/production', files);
    assert.equal(p.ok, true, JSON.stringify(p.errors));
    assert.deepEqual(p.entries, [{
      owner: 'flux-system/apps', apiVersion: 'v1', kind: 'Service', namespace: 'production', name: 'my-app',
      action: 'delete', detail: null, message: 'flux-system/apps: Service/production/my-app deleted',
    }]);
    for (const bad of [null, 7, ['x'], { 'a.yaml': 1 }]) assert.equal(ws.prune('clusters/production', bad).ok, false);
    assert.equal(ws.prune('/nowhere', files).ok, false);

    // The promotion preview: staging's patch deletes the Service; promoting
    // that file deletes production's Service, and staging loses nothing more.
    const staged = workspace({ ...files, 'apps/staging/my-app-patch.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: my-app\n$patch: delete\n' });
    const preview = staged.promote('apps/staging', 'apps/production', { files: ['my-app-patch.yaml'], prune: true });
    assert.equal(preview.ok, true, JSON.stringify(preview.errors));
    assert.deepEqual(preview.prune, [
      { cluster: '/clusters/production', ok: true, entries: p.entries },
      { cluster: '/clusters/staging', ok: true, entries: [] },
    ]);
    assert.equal(workspace(files).promote('apps/staging', 'apps/production').prune, undefined);
  });

  it('lints the presets: the planted mistakes, with places and fixes', () => {
    for (const name of ['fleet-infra', 'clusters-per-env']) {
      const findings = workspace(presets[name]).lint();
      for (const f of findings) {
        assert.deepEqual(Object.keys(f).sort(), ['column', 'file', 'fix', 'line', 'message', 'rule'], name);
        assert.ok(f.line >= 1 && f.file.startsWith('/') && f.fix.length > 0, JSON.stringify(f));
      }
    }
    // The "full copy per environment" layout: each copy named, and every
    // environment's namespace that nothing creates.
    const perEnv = workspace(presets['clusters-per-env']).lint();
    assert.deepEqual(perEnv.map((f) => [f.rule, f.file, f.line]), [
      ['duplicated-manifests', '/clusters/prod/apps/web.yaml', 1],
      ['duplicated-manifests', '/clusters/prod/apps/web.yaml', 27],
      ['duplicated-manifests', '/clusters/staging/apps/web.yaml', 1],
      ['duplicated-manifests', '/clusters/staging/apps/web.yaml', 27],
      ['namespace', '/flux-system/dev.yaml', 8],
      ['namespace', '/flux-system/prod.yaml', 8],
      ['namespace', '/flux-system/staging.yaml', 8],
    ]);
    assert.match(perEnv[0].message, /^Deployment web repeats the full manifest of clusters\/dev\/apps\/web.yaml/);
    // fleet-infra: wait: true makes healthChecks moot; the apps' namespaces are never created.
    const fleet = workspace(presets['fleet-infra']).lint();
    assert.deepEqual(fleet.map((f) => [f.rule, f.file, f.line, f.column]), [
      ['namespace', '/clusters/production/apps.yaml', 13, 9],
      ['health-checks', '/clusters/production/apps.yaml', 17, 5],
      ['namespace', '/clusters/staging/apps.yaml', 13, 9],
      ['health-checks', '/clusters/staging/apps.yaml', 17, 5],
    ]);
    // A planted mistake: prune switched off in staging.
    const ws = workspace(presets['fleet-infra']);
    ws.setFile('clusters/staging/apps.yaml', presets['fleet-infra']['clusters/staging/apps.yaml'].replace('prune: true', 'prune: false'));
    const prune = ws.lint().filter((f) => f.rule === 'prune');
    assert.equal(prune.length, 1);
    assert.equal(prune[0].file, '/clusters/staging/apps.yaml');
    assert.match(prune[0].fix, /prune: true/);
    assert.deepEqual(new Workspace().lint(), []);
  });

  it('answers odd Flux input with errors, never a crash', () => {
    const ws = workspace(presets['fleet-infra']);
    for (const dir of ['', '/', '/nowhere', '../..', '\u0000', 'a'.repeat(10_000)]) {
      const r = ws.flux(dir);
      assert.equal(typeof r.ok, 'boolean', JSON.stringify(dir.slice(0, 20)));
    }
    assert.equal(ws.flux('/nowhere').ok, false);
    for (const dir of ['', '/', '/nowhere', '\u0000', 'a'.repeat(10_000)]) {
      for (const r of [ws.diff(dir, 'apps/staging'), ws.diff('apps/staging', dir), ws.promote(dir, 'apps/production'), ws.promote('apps/staging', dir, { all: true }), ws.applyPromotion(dir, dir)]) {
        assert.equal(r.ok, false, JSON.stringify(dir.slice(0, 20)));
        assert.ok(r.errors[0].message.length > 0);
      }
    }
    // The root exists now and did not before: a change from nothing prunes
    // nothing. A directory that does not exist is an error.
    for (const dir of ['', '/']) assert.deepEqual(ws.prune(dir, {}), { ok: true, entries: [] });
    for (const dir of ['/nowhere', '\u0000', 'a'.repeat(10_000)]) assert.equal(ws.prune(dir, {}).ok, false, JSON.stringify(dir.slice(0, 20)));
    assert.deepEqual(ws.history(), [], 'failed promotions leave no history');
    assert.equal(ws.flux('clusters/production', { rot: '/' }).ok, false);
    assert.equal(ws.flux('clusters/production', { selfSources: 'x' }).ok, false);
    ws.setFile('clusters/production/bad.yaml', 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: x}\nspec: [\n');
    ws.setFile('clusters/production/odd.yaml', 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: y}\nspec: {path: ../../.., dependsOn: [{}], sourceRef: {kind: GitRepository, name: flux-system}}\n');
    assert.equal(typeof ws.flux('clusters/production').ok, 'boolean');
    assert.ok(Array.isArray(ws.lint()));
    assert.ok(Array.isArray(ws.clusters()));
  });
});
