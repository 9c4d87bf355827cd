// Prints the page's figures (no assertions; run after ./build.sh, or via
// ./build.sh measure):
//   - navigation → first rendered output, on localhost, median of 7 fresh loads;
//   - keystroke → updated outputs of every fleet-infra environment, median of
//     40 keystrokes: the engine part, the whole update, and key → update end;
//   - what the page loads, raw and gzip -9, with the wasm and the editor apart;
//   - a large repository: each corpus repository of ../shared/realworld
//     uploaded as a folder (upload → first render), then typing in an
//     argo-cd base file: keydown → character shown (p50, p95), keydown →
//     outputs updated, and the longest main-thread task (PerformanceObserver
//     'longtask'). MEASURE=large runs only this part; LARGE_REPOS=a,b picks
//     the repositories.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WWW = join(ROOT, 'www');
const PORT = 8700 + Math.floor(Math.random() * 200);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const ms = (x) => `${x.toFixed(1)} ms`;
const kb = (x) => `${(x / 1024).toFixed(1)} KB`;

const server = spawn('python3', ['-m', 'http.server', String(PORT), '--bind', '127.0.0.1', '--directory', WWW], { stdio: 'ignore' });
const url = `http://127.0.0.1:${PORT}/`;
for (let i = 0; i < 50; i++) { try { if ((await fetch(url)).ok) break; } catch { /* not yet */ } await new Promise((r) => setTimeout(r, 100)); }
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN; };
const REALWORLD = join(ROOT, '..', 'shared', 'realworld');

/** Uploads folder `dir` into a fresh page; resolves with the page's upload report and the page. */
async function uploadFolder(context, dir) {
  const page = await context.newPage();
  page.setDefaultTimeout(300_000);
  await page.goto(url);
  await page.locator('body[data-ready="true"]').waitFor();
  const t0 = Date.now();
  await page.locator('#upload-folder').setInputFiles(dir);
  await page.waitForFunction(() => window.playground.lastUpload() != null, null, { timeout: 300_000, polling: 100 });
  const report = await page.evaluate(() => window.playground.lastUpload());
  return { page, report, wall: Date.now() - t0 };
}

async function measureLarge() {
  if (!existsSync(REALWORLD)) { console.log(`\nlarge repository: ${REALWORLD} is absent, skipped`); return; }
  const wanted = process.env.LARGE_REPOS?.split(',') ?? readdirSync(REALWORLD).filter((d) => d.includes('+')).sort();
  console.log('\nlarge repository: upload folder → first render (read = files read in the page; render = engine load + first render shown)');
  for (const repo of wanted) {
    const context = await browser.newContext();
    const { page, report } = await uploadFolder(context, join(REALWORLD, repo));
    const envs = await page.locator('article.env').count();
    console.log(`  ${repo.padEnd(48)} ${String(report.files).padStart(5)} files, ${String(envs).padStart(3)} environments: read ${ms(report.readMs)}, render ${ms(report.renderMs)}, total ${ms(report.readMs + report.renderMs)}`);
    if (repo === 'argoproj+argo-cd') await typing(page, 'manifests/base/repo-server/argocd-repo-server-deployment.yaml', 'replicas: 1');
    await context.close();
  }
}

/** Types in `file` after `anchor`: keydown → shown, keydown → outputs, the longest main-thread task. */
async function typing(page, file, anchor) {
  await page.evaluate((f) => window.playground.openFile(f), file);
  await page.evaluate((a) => {
    const v = window.playground.editor;
    const i = v.state.doc.toString().indexOf(a) + a.length;
    v.focus();
    v.dispatch({ selection: { anchor: i } });
    window.playground.timings.length = 0;
    window.keyShown = [];
    window.longest = 0;
    window.longTasks = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) { window.longTasks++; window.longest = Math.max(window.longest, e.duration); }
    }).observe({ type: 'longtask' });
    // keydown → the next frame after the editor took the key: the character is on screen.
    document.addEventListener('keydown', (e) => {
      const t = e.timeStamp;
      requestAnimationFrame(() => setTimeout(() => window.keyShown.push(performance.now() - t), 0));
    }, true);
  }, anchor);
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press(i % 2 ? 'Backspace' : '7');
    await page.waitForTimeout(i % 10 === 9 ? 600 : 60); // bursts of typing, then a pause (the lint runs)
  }
  await page.waitForTimeout(3000);
  const r = await page.evaluate(() => ({ shown: window.keyShown, longest: window.longest, count: window.longTasks, timings: window.playground.timings }));
  console.log(`  typing in argo-cd ${file} (60 keys, bursts of 10 at 60 ms, pauses of 600 ms):`);
  console.log(`    keydown → character shown: p50 ${ms(pct(r.shown, 50))}, p95 ${ms(pct(r.shown, 95))}, max ${ms(Math.max(...r.shown))}`);
  const since = r.timings.map((t) => t.sinceKey).filter((x) => x != null);
  console.log(`    keydown → outputs updated (${r.timings.length} renders shown, the rest dropped as stale): p50 ${ms(pct(since, 50))}, p95 ${ms(pct(since, 95))}; engine p50 ${ms(pct(r.timings.map((t) => t.engine), 50))}`);
  console.log(`    main-thread tasks over 50 ms while typing: ${r.count}, the longest ${ms(r.longest)}`);
}

try {
  if (process.env.MEASURE === 'large') { await measureLarge(); await browser.close(); server.kill(); process.exit(0); }
  // 1. Navigation → first render, each in a fresh context (empty cache and storage).
  const loads = [];
  let loaded = [];
  for (let i = 0; i < 7; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const urls = [];
    page.on('response', (r) => urls.push(new URL(r.url()).pathname));
    await page.goto(url);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => performance.getEntriesByName('overlay:first-output-shown').length > 0);
    // From navigation start to the first environment's YAML in its editor.
    loads.push(await page.evaluate(() => performance.getEntriesByName('overlay:first-output-shown')[0].startTime));
    loaded = urls;
    await context.close();
  }

  // 2. Keystrokes in a fleet-infra patch: every environment re-renders each time.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.locator('button.file[data-path="apps/production/my-app-patch.yaml"]').click();
  await page.evaluate(() => {
    const v = window.playground.editor;
    const i = v.state.doc.toString().indexOf('replicas: 5') + 'replicas: 5'.length;
    v.focus();
    v.dispatch({ selection: { anchor: i } });
    window.playground.timings.length = 0;
  });
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press(i % 2 ? 'Backspace' : '7');
    await page.waitForTimeout(30);
  }
  const timings = await page.evaluate(() => window.playground.timings);
  const envCount = await page.locator('article.env').count();
  // The same keystrokes with another tab on screen: its view follows each
  // edit too (a diff of two environments, or a promotion's preview).
  const withView = {};
  for (const view of ['compare', 'promote']) {
    await page.locator(`#tab-${view}`).click();
    await page.evaluate(() => {
      const v = window.playground.editor;
      v.focus();
      window.playground.timings.length = 0;
    });
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press(i % 2 ? 'Backspace' : '7');
      await page.waitForTimeout(30);
    }
    withView[view] = await page.evaluate(() => window.playground.timings);
  }
  await context.close();

  // 3. Transfer sizes: what the page loaded, gzip -9 (as a static host would serve it).
  // The service worker and its file list come once the page is idle (see
  // www/src/offline.js); its install re-checks the page's files with the
  // server (304s, no second download), so those two are all it adds.
  const files = [...new Set([...loaded, '/sw.js', '/dist/offline-assets.js'])]
    .filter((p) => !p.endsWith('/') || p === '/').map((p) => (p === '/' ? '/index.html' : p));
  const sizes = files.map((p) => {
    const bytes = readFileSync(join(WWW, p));
    return { path: p.slice(1), raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
  });
  const editor = await build({ entryPoints: [join(WWW, 'src', 'cm.js')], bundle: true, minify: true, format: 'esm', write: false });
  const editorBytes = editor.outputFiles[0].contents;

  console.log('Overlay Playground — measured on this machine (localhost, headless Chromium)\n');
  console.log(`navigation → first rendered output: median ${ms(median(loads))} (of ${loads.length} fresh loads: ${loads.map((x) => x.toFixed(0)).join(', ')} ms)`);
  console.log(`keystroke → updated outputs, fleet-infra (${envCount} environments), median of ${timings.length} keystrokes:`);
  console.log(`  engine (renderAll, in the worker): ${ms(median(timings.map((t) => t.engine)))}`);
  console.log(`  panels (read-only editors):      ${ms(median(timings.map((t) => t.panels)))}`);
  console.log(`  save (IndexedDB, started):       ${ms(median(timings.map((t) => t.save)))}`);
  console.log(`  whole update (edit → panels):    ${ms(median(timings.map((t) => t.update)))}`);
  console.log(`  keydown → update done:           ${ms(median(timings.map((t) => t.sinceKey).filter((x) => x != null)))}`);
  for (const [view, ts] of Object.entries(withView)) {
    console.log(`  whole update with the ${view} tab shown: ${ms(median(ts.map((t) => t.update)))} (keydown → done ${ms(median(ts.map((t) => t.sinceKey).filter((x) => x != null)))})`);
  }
  console.log('\nwhat the page loads (raw / gzip -9):');
  for (const s of sizes) console.log(`  ${s.path.padEnd(28)} ${kb(s.raw).padStart(10)} ${kb(s.gz).padStart(10)}`);
  const total = sizes.reduce((n, s) => n + s.gz, 0);
  const wasm = sizes.find((s) => s.path.endsWith('.wasm'))?.gz ?? 0;
  const editorGz = gzipSync(editorBytes, { level: 9 }).length;
  console.log(`  total                        ${kb(sizes.reduce((n, s) => n + s.raw, 0)).padStart(10)} ${kb(total).padStart(10)}   (budget 600 KB)`);
  console.log(`  of which the wasm engine: ${kb(wasm)}; the editor (CodeMirror + YAML, inside dist/main.js): ${kb(editorGz)} gzip on its own`);
  await measureLarge();
} finally {
  await browser.close();
  server.kill();
}
