// Lessons through the wasm facade (www/pkg/full after ./build.sh): the page reads
// a lesson, loads its start tree, and checks the workspace as the learner
// types. Run: node --test tests/wasm/
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The lesson calls are in the module built with the feature `studio`.
const PKG = process.env.OVERLAY_PKG ?? join(ROOT, 'www', 'pkg', 'full');
let Workspace;

describe('wasm lessons', () => {
  before(async () => {
    assert.ok(existsSync(join(PKG, 'overlay_bg.wasm')), `${PKG}/overlay_bg.wasm is missing: run ./build.sh test (it builds www/pkg/full)`);
    const glue = await import(join(PKG, 'overlay.js'));
    glue.initSync({ module: readFileSync(join(PKG, 'overlay_bg.wasm')) });
    Workspace = glue.Workspace;
  });

  it('checks the start tree, then the fix typed in', () => {
    const text = readFileSync(join(ROOT, 'lessons', '02-images-and-replicas.yaml'), 'utf8');
    const ws = new Workspace();
    const lesson = ws.readLesson(text, false);
    assert.equal(lesson.ok, true);
    assert.equal(lesson.id, 'images-per-env');
    assert.deepEqual(lesson.editable, ['overlays/production/**']);
    for (const [p, t] of Object.entries(lesson.files)) ws.setFile(p, t);
    const start = ws.checkLesson(text);
    assert.equal(start.ok, true);
    assert.equal(start.passed, false);
    const replicas = start.outcomes.find((o) => o.label.includes('spec.replicas'));
    assert.equal(replicas.ok, false);
    assert.match(replicas.message, /^production should run 3 replicas \(spec\.replicas of Deployment web is 1, not 3\)$/);
    const solved = ws.readLesson(text, true);
    ws.setFile('overlays/production/kustomization.yaml', solved.files['overlays/production/kustomization.yaml']);
    const after = ws.checkLesson(text);
    assert.equal(after.passed, true, JSON.stringify(after.outcomes));
    assert.ok(after.outcomes.every((o) => o.ok && o.message === '' && o.variant === null));
  });

  it('reports a broken lesson file with its place', () => {
    const ws = new Workspace();
    const r = ws.checkLesson('id: x\ntitle: X\nstart: {}\nchecks:\n- build_okay: a\nsolution: {}\n');
    assert.equal(r.ok, false);
    assert.deepEqual([r.errors[0].file, r.errors[0].line, r.errors[0].column], ['lesson.yaml', 5, 3]);
    assert.match(r.errors[0].message, /unknown check 'build_okay'/);
  });

  it('exports the workspace as a lesson that reads back the same files', () => {
    const ws = new Workspace();
    ws.setFile('base/kustomization.yaml', 'resources: [cm.yaml]\n');
    ws.setFile('base/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
    const text = ws.lessonFromWorkspace('mine');
    const back = new Workspace().readLesson(text, false);
    assert.equal(back.ok, true, JSON.stringify(back.errors));
    assert.deepEqual(back.files, { 'base/kustomization.yaml': 'resources: [cm.yaml]\n', 'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n' });
    assert.equal(ws.checkLesson(text).passed, true);
  });
});
