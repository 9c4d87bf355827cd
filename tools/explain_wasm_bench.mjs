// Times Workspace.explain and explainFrom in Node on a preset (wasm with the
// nodejs glue). Prints figures; asserts nothing.
//   CARGO_PROFILE_RELEASE_OPT_LEVEL=z cargo rustc --release --target wasm32-unknown-unknown --lib --crate-type cdylib
//   wasm-bindgen --target nodejs --out-dir /tmp/pkg $CARGO_TARGET_DIR/wasm32-unknown-unknown/release/overlay.wasm
//   node tools/explain_wasm_bench.mjs /tmp/pkg www/presets/fleet-infra
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
const pkg = resolve(process.argv[2]);
const preset = resolve(process.argv[3]);
const { Workspace } = await import(join(pkg, 'overlay.js'));
const ws = new Workspace();
function load(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) load(p);
    else ws.setFile(relative(preset, p), readFileSync(p, 'utf8'));
  }
}
load(preset);
const one = ws.explain('apps/production', 'Deployment/my-app', 'spec.replicas');
console.log(JSON.stringify(one));
function median(f, n) {
  const t = [];
  for (let i = 0; i < n; i++) { const s = performance.now(); f(); t.push(performance.now() - s); }
  t.sort((a, b) => a - b);
  return t[Math.floor(n / 2)];
}
const n = 500;
console.log(`explain one field (apps/production Deployment/my-app spec.replicas): median ${median(() => ws.explain('apps/production', 'Deployment/my-app', 'spec.replicas'), n).toFixed(3)} ms`);
console.log(`explain every field of apps/production: median ${median(() => ws.explain('apps/production'), n).toFixed(3)} ms`);
console.log(`explainFrom apps/base/my-app/deployment.yaml:6 (4 environments): median ${median(() => ws.explainFrom('apps/base/my-app/deployment.yaml', 6), n).toFixed(3)} ms`);
console.log(`render apps/production: median ${median(() => ws.render('apps/production'), n).toFixed(3)} ms`);
