// A path or text argument of the wrong type is a TypeError naming the
// parameter, thrown by the facade (src/wasm.rs, string_arg) before the glue
// copies anything into wasm memory — once "memory access out of bounds".
// Run: node --test tests/wasm/ (after ./build.sh)
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'www', 'pkg');
let Workspace;

describe('wrong argument types', () => {
  before(async () => {
    assert.ok(existsSync(join(PKG, 'overlay_bg.wasm')), 'www/pkg/overlay_bg.wasm is missing: run ./build.sh first');
    const glue = await import(join(PKG, 'overlay.js'));
    glue.initSync({ module: readFileSync(join(PKG, 'overlay_bg.wasm')) });
    Workspace = glue.Workspace;
  });

  const typeError = (fn, message) => assert.throws(fn, (e) => e instanceof TypeError && e.message === message);

  it('names the parameter and what it got', () => {
    const ws = new Workspace();
    typeError(() => ws.render({}), 'dir must be a string, not object');
    typeError(() => ws.render(42), 'dir must be a string, not number');
    typeError(() => ws.render(), 'dir must be a string, not undefined');
    typeError(() => ws.setFile({}, 'x'), 'path must be a string, not object');
    typeError(() => ws.setFile('a.yaml', null), 'text must be a string, not null');
    typeError(() => ws.getFile(1), 'path must be a string, not number');
    typeError(() => ws.removeFile([]), 'path must be a string, not object');
    typeError(() => ws.diff('a', 7), 'dirB must be a string, not number');
    typeError(() => ws.promote(1, 'b'), 'fromDir must be a string, not number');
    typeError(() => ws.applyPromotion('a', {}), 'toDir must be a string, not object');
    typeError(() => ws.flux(true), 'clusterDir must be a string, not boolean');
    typeError(() => ws.prune(0, {}), 'clusterDir must be a string, not number');
  });

  it('leaves the workspace usable after a TypeError', () => {
    const ws = new Workspace();
    assert.throws(() => ws.setFile({}, 'x'), TypeError);
    ws.setFile('k/kustomization.yaml', 'resources:\n- cm.yaml\n');
    ws.setFile('k/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
    assert.throws(() => ws.render({}), TypeError);
    const r = ws.render('k');
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.match(r.output, /name: c/);
    assert.deepEqual(ws.files(), ['/k/cm.yaml', '/k/kustomization.yaml']);
  });
});
