// Editor actions not covered by page.test.mjs, in Debian's headless Chromium
// driven by playwright-core: the tidy shortcut (Shift-Alt-F), and two tabs
// in conflict resolved with "Load the other tab's version".
// Run after ./build.sh: node --test tests/browser/editor-actions.test.mjs
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WWW = join(ROOT, 'www');
const CHROMIUM = '/usr/bin/chromium';
const PATCH = 'apps/production/my-app-patch.yaml';
const KEY = 'overlay-playground/v2';

let server;
let context;
let page;
let baseUrl;
let profile;
const problems = []; // page errors, console errors, failed requests

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startServer() {
  const port = await freePort();
  const proc = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', WWW], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`the static server exited: ${stderr}`);
    try {
      if ((await fetch(url)).ok) return { proc, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error(`the static server did not answer on ${url}: ${stderr}`);
}

function watch(p, name) {
  p.setDefaultTimeout(10_000);
  p.on('pageerror', (e) => problems.push(`${name} pageerror: ${e.message}`));
  p.on('console', (m) => { if (m.type() === 'error') problems.push(`${name} console.error: ${m.text()}`); });
  p.on('requestfailed', (r) => problems.push(`${name} request failed: ${r.url()} ${r.failure()?.errorText}`));
  p.on('response', (r) => { if (r.status() >= 400) problems.push(`${name} HTTP ${r.status()}: ${r.url()}`); });
}

const outputText = (p, path) => p.evaluate((x) => window.playground.outputs.text(x), path);
const editorText = (p) => p.evaluate(() => window.playground.editor.state.doc.toString());
const saved = (p) => p.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? 'null'), KEY);

/** Waits until `read()` (run in the page) returns text containing / matching `test`. */
async function waitUntil(p, what, read, arg, test) {
  const source = test instanceof RegExp ? { re: test.source, flags: test.flags } : { sub: test };
  try {
    await p.waitForFunction(([fn, a, t]) => {
      const text = fn === 'output' ? window.playground?.outputs.text(a) ?? null
        : fn === 'editor' ? window.playground?.editor.state.doc.toString() ?? null
          : document.querySelector(a)?.textContent ?? null;
      if (text == null) return false;
      return t.sub !== undefined ? text.includes(t.sub) : new RegExp(t.re, t.flags).test(text);
    }, [read, arg, source], { timeout: 10_000, polling: 50 });
  } catch (e) {
    const status = await p.locator('#status').textContent().catch(() => '');
    throw new Error(`timed out waiting for ${what} to show ${test}; status: ${status}`, { cause: e });
  }
}
const waitForOutput = (p, path, test) => waitUntil(p, `output ${path}`, 'output', path, test);
const waitForEditor = (p, test) => waitUntil(p, 'the editor', 'editor', null, test);
const waitForText = (p, selector, test) => waitUntil(p, selector, 'element', selector, test);

async function load(p) {
  await p.goto(baseUrl);
  await p.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
}

async function openPatch(p) {
  await p.locator(`button.file[data-path="${PATCH}"]`).click();
  assert.equal(await p.locator('#editor-path').textContent(), PATCH);
}

/** Selects the first occurrence of `from` in the editor of `p`, then types `to` over it. */
async function typeOver(p, from, to) {
  const found = await p.evaluate((f) => {
    const view = window.playground.editor;
    const i = view.state.doc.toString().indexOf(f);
    if (i < 0) return false;
    view.focus();
    view.dispatch({ selection: { anchor: i, head: i + f.length } });
    return true;
  }, from);
  assert.ok(found, `the editor should contain ${JSON.stringify(from)}`);
  await p.keyboard.type(to);
}

describe('Overlay Playground editor actions', () => {
  before(async () => {
    for (const f of ['index.html', 'dist/main.js', 'pkg/overlay_bg.wasm', 'pkg/presets.js']) {
      assert.ok(existsSync(join(WWW, f)), `www/${f} is missing: run ./build.sh first`);
    }
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (./build.sh test does)`);
    ({ proc: server, url: baseUrl } = await startServer());
    profile = mkdtempSync(join(tmpdir(), 'overlay-playground-actions-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    watch(page, 'tab 1');
  });

  after(async () => {
    await context?.close();
    server?.kill();
    if (profile) rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  });

  it('tidies with Shift-Alt-F: tabs to spaces, no trailing blanks, a final newline; the engine re-renders', async () => {
    await load(page);
    await openPatch(page);
    const original = await editorText(page);
    // Tab-indented (which YAML forbids), trailing blanks, no final newline.
    const messy = original.replace('  replicas: 5\n', '\treplicas: 6   \n').replace('kind: Deployment\n', 'kind: Deployment \t\n').replace(/\n$/, '');
    assert.notEqual(messy, original);
    await page.evaluate((text) => {
      const view = window.playground.editor;
      view.focus();
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    }, messy);
    await page.locator('article.env.failed[data-env="/apps/production"]').waitFor();
    assert.match(await page.locator('#problem-count').textContent(), /^[1-9]/, 'the tab is a problem');

    await page.keyboard.press('Shift+Alt+F');
    await waitForText(page, '#status', 'Tidied');
    assert.equal(await page.locator('#status').textContent(), 'Tidied: tabs, trailing blanks, final newline.');
    const tidy = original.replace('replicas: 5', 'replicas: 6');
    assert.equal(await editorText(page), tidy);
    await waitForOutput(page, '/apps/production', 'replicas: 6');
    assert.match(await outputText(page, '/apps/production'), /^ {2}replicas: 6$/m);
    assert.equal(await page.locator('article.env.failed').count(), 0, 'every environment renders again');
    assert.equal(await page.locator('#problem-count').textContent(), '0');
    assert.equal((await saved(page)).files[PATCH], tidy, 'the tidy text is saved');

    // Once more: nothing to do.
    await page.keyboard.press('Shift+Alt+F');
    await waitForText(page, '#status', 'Already tidy.');
    assert.equal(await editorText(page), tidy);

    // Back to the preset's text for the next test.
    await typeOver(page, 'replicas: 6', 'replicas: 5');
    await waitForOutput(page, '/apps/production', 'replicas: 5');
    assert.equal(await editorText(page), original);
  });

  it('offers the other tab’s version after a conflict, and loading it shows and keeps that text', async () => {
    const other = await context.newPage();
    watch(other, 'tab 2');
    try {
      await load(other);
      await openPatch(other);
      await openPatch(page);
      await page.waitForTimeout(300);
      for (const p of [page, other]) assert.equal(await p.locator('#banner').isHidden(), true, 'no conflict yet');

      // Tab 1 types (a save per keystroke); tab 2 is told.
      await typeOver(page, 'replicas: 5', 'replicas: 42');
      await waitForOutput(page, '/apps/production', 'replicas: 42');
      const theirs = await editorText(page);
      await other.locator('#banner:not([hidden])').waitFor();
      assert.match(await other.locator('#banner').textContent(), /Another tab saved a different version/);
      await other.getByRole('button', { name: 'Load the other tab’s version' }).waitFor();
      await other.getByRole('button', { name: 'Keep mine (replace theirs)' }).waitFor();

      // Tab 2 edits too: not saved over tab 1's copy.
      await typeOver(other, 'cpu: 500m', 'cpu: 750m');
      await waitForOutput(other, '/apps/production', 'cpu: 750m');
      await other.waitForTimeout(300);
      assert.equal((await saved(other)).files[PATCH], theirs, 'tab 1’s copy is not overwritten');

      await other.getByRole('button', { name: 'Load the other tab’s version' }).click();
      assert.equal(await other.locator('#banner').isHidden(), true);
      assert.equal(await editorText(other), theirs, 'the editor shows the other tab’s text, all of it');
      await waitForOutput(other, '/apps/production', 'replicas: 42');
      assert.doesNotMatch(await outputText(other, '/apps/production'), /750m/);
      assert.equal((await saved(other)).files[PATCH], theirs);
      await page.waitForTimeout(300);
      assert.equal(await page.locator('#banner').isHidden(), true, 'tab 1 sees its own version come back: no conflict');

      await other.reload();
      await other.locator('body[data-ready="true"]').waitFor();
      assert.equal(await other.locator('#editor-path').textContent(), PATCH);
      assert.equal(await editorText(other), theirs, 'a reload keeps it');
      await waitForOutput(other, '/apps/production', 'replicas: 42');
      assert.equal(await other.locator('#banner').isHidden(), true);
    } finally {
      await other.close();
    }
    assert.deepEqual(problems, []);
  });
});
