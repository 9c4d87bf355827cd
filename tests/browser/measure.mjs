// Prints the page's figures (no assertions; run after ./build.sh, or via
// ./build.sh measure):
//   - navigation → first rendered output, on localhost, median of 7 fresh loads;
//   - keystroke → updated outputs of every fleet-infra environment, median of
//     40 keystrokes: the engine part, the whole update, and key → update end;
//   - what the page loads, raw and gzip -9, with the wasm and the editor apart.
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
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

try {
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
  console.log(`  engine (renderAll):              ${ms(median(timings.map((t) => t.engine)))}`);
  console.log(`  panels (read-only editors):      ${ms(median(timings.map((t) => t.panels)))}`);
  console.log(`  save (localStorage):             ${ms(median(timings.map((t) => t.save)))}`);
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
} finally {
  await browser.close();
  server.kill();
}
