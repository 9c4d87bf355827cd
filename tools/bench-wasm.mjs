// Times what the page does on a keystroke, in Node, against www/pkg (after
// ./build.sh): setFile of the edited patch, then renderAll over fleet-infra.
// Prints medians; asserts nothing.
//   node tools/bench-wasm.mjs [iterations]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..', 'www', 'pkg');
const glue = await import(join(PKG, 'overlay.js'));
glue.initSync({ module: readFileSync(join(PKG, 'overlay_bg.wasm')) });
const presets = (await import(join(PKG, 'presets.js'))).default;
const n = Number(process.argv[2] ?? 400);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const files = presets['fleet-infra'];
const ws = new glue.Workspace();
for (const [p, t] of Object.entries(files)) ws.setFile(p, t);
const edited = 'apps/production/my-app-patch.yaml';
const original = files[edited];

function time(label, f) {
  for (let i = 0; i < 50; i++) f(i); // warm up
  const xs = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); f(i); xs.push(performance.now() - t); }
  console.log(`${label.padEnd(40)} median ${median(xs).toFixed(3)} ms  min ${Math.min(...xs).toFixed(3)} ms`);
}

time('environments()', () => ws.environments());
time('renderAll() unchanged', () => ws.renderAll());
time('setFile + renderAll() (keystroke)', (i) => { ws.setFile(edited, original.replace('replicas: 5', `replicas: ${i % 2 ? 5 : 57}`)); ws.renderAll(); });
const envs = ws.environments();
const base = 'apps/base/my-app/deployment.yaml';
const baseText = files[base];
time('setFile(base deployment) + renderAll()', (i) => { ws.setFile(base, baseText.replace('replicas: 1', `replicas: ${i % 2 ? 1 : 3}`)); ws.renderAll(); });
time('fresh Workspace: setFile × all + renderAll()', () => { const w = new glue.Workspace(); for (const [p, t] of Object.entries(files)) w.setFile(p, t); w.renderAll(); w.free(); });
time('render() each environment (no cache)', () => { for (const e of envs) ws.render(e.path); });
const r = ws.renderAll();
console.log(`${r.length} environments, output bytes ${r.reduce((k, x) => k + (x.output?.length ?? 0), 0)}`);

// The Flux side: the lint runs when typing pauses, flux() for the Clusters
// tab; neither is in the keystroke, but a key pressed meanwhile waits.
time('lint() (whole repository)', () => ws.lint());
for (const c of ws.clusters()) time(`flux(${c.path})`, () => ws.flux(c.path));
const sb = ['apps/staging/kustomization.yaml', files['apps/staging/kustomization.yaml'] + 'images:\n- name: ghcr.io/my-org/my-app\n  newTag: 1.1.0\n'];
ws.setFile(...sb);
time('diff(apps/staging, apps/production)', () => ws.diff('apps/staging', 'apps/production'));
time('promote(staging → production, images)', () => ws.promote('apps/staging', 'apps/production', { images: true }));
