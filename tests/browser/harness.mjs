// The harness the browser tests share: a static server for www/ (or a copy of
// it), Debian's headless Chromium driven by playwright-core with a fresh
// profile, the page-problem listeners, and helpers that wait for text by
// polling. No string evaluation anywhere: the page's CSP forbids it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WWW = join(ROOT, 'www');
export const SHOTS = join(ROOT, 'tests', 'browser', 'screenshots');
export const CHROMIUM = '/usr/bin/chromium';

/** Asserts that the build made `files` (paths under www/) and that Chromium is installed. */
export function assertBuilt(files) {
  for (const f of files) {
    assert.ok(existsSync(join(WWW, f)), `www/${f} is missing: run ./build.sh first`);
  }
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (./build.sh test does)`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Serves `dir` with python3's http.server on a free port of 127.0.0.1, once
 * it answers. Returns { proc, url, stop }: stop() kills it and resolves when
 * it has exited (at once if it has already).
 */
export async function startServer(dir = WWW) {
  const port = await freePort();
  const proc = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = `http://127.0.0.1:${port}/`;
  const stop = () => new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', resolve);
    proc.kill();
  });
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`the static server exited: ${stderr}`);
    try {
      if ((await fetch(url)).ok) return { proc, url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error(`the static server did not answer on ${url}: ${stderr}`);
}

/**
 * Launches Chromium with a fresh persistent profile (a temporary directory
 * named `profilePrefix`…). Returns { context, page, profile, close }: page is its
 * first tab; close() closes the browser and removes the profile.
 */
export async function launchBrowser(profilePrefix = 'overlay-playground-chromium-') {
  const profile = mkdtempSync(join(tmpdir(), profilePrefix));
  const removeProfile = () => rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
  } catch (e) {
    removeProfile();
    throw e;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const close = async () => {
    await context.close();
    removeProfile();
  };
  return { context, page, profile, close };
}

/**
 * Sets `p`'s default timeout to 10 s and pushes its problems onto `problems`:
 * page errors, and unless `errorsOnly`, console errors (with their source
 * location if `location`), failed requests and HTTP responses >= 400. Each is
 * prefixed with `name` if given (which tab).
 */
export function watchProblems(p, problems, { name, location = false, errorsOnly = false } = {}) {
  const tag = name ? `${name} ` : '';
  p.setDefaultTimeout(10_000);
  p.on('pageerror', (e) => problems.push(`${tag}pageerror: ${e.message}`));
  if (errorsOnly) return;
  p.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${tag}console.error: ${m.text()}${location ? ` at ${JSON.stringify(m.location())}` : ''}`);
  });
  p.on('requestfailed', (r) => problems.push(`${tag}request failed: ${r.url()} ${r.failure()?.errorText}`));
  p.on('response', (r) => { if (r.status() >= 400) problems.push(`${tag}HTTP ${r.status()}: ${r.url()}`); });
}

// The workspace as saved in IndexedDB (src/store.js), as JSON text ('null' when none).
export const savedText = (p) => p.evaluate(async () => JSON.stringify(await window.playground.saved()));

// The editors are CodeMirror views; the page exposes them as window.playground.
export const outputText = (p, path) => p.evaluate((x) => window.playground.outputs.text(x), path);
export const editorText = (p) => p.evaluate(() => window.playground.editor.state.doc.toString());
export const cursorLine = (p) => p.evaluate(() => {
  const { state } = window.playground.editor;
  return state.doc.lineAt(state.selection.main.head).number;
});

/**
 * Waits until, in `p`, the text of an environment's output (`kind: 'output'`,
 * arg: its path), of the editor (`kind: 'editor'`) or of an element
 * (`kind: 'element'`, arg: a selector; a hidden element counts as no text)
 * satisfies `test` (a substring or RegExp). On timeout the error shows the
 * status line and the actual text.
 */
export async function waitFor(p, kind, arg, test, { timeout = 10_000 } = {}) {
  const source = test instanceof RegExp ? { re: test.source, flags: test.flags } : { sub: test };
  const read = ([kind, arg]) => {
    if (kind === 'output') return window.playground?.outputs.text(arg) ?? null;
    if (kind === 'editor') return window.playground?.editor.state.doc.toString() ?? null;
    const node = document.querySelector(arg);
    return node && !node.hidden ? node.textContent : null;
  };
  try {
    await p.waitForFunction(([kind, arg, t]) => {
      let text;
      if (kind === 'output') text = window.playground?.outputs.text(arg) ?? null;
      else if (kind === 'editor') text = window.playground?.editor.state.doc.toString() ?? null;
      else {
        const node = document.querySelector(arg);
        text = node && !node.hidden ? node.textContent : null;
      }
      if (text == null) return false;
      return t.sub !== undefined ? text.includes(t.sub) : new RegExp(t.re, t.flags).test(text);
    }, [kind, arg, source], { timeout, polling: 50 });
  } catch (e) {
    const actual = await p.evaluate(read, [kind, arg]).catch((x) => `(${x})`);
    const status = await p.locator('#status').textContent().catch(() => '');
    const what = kind === 'editor' ? 'the editor' : `${kind} ${arg}`;
    throw new Error(`timed out waiting for ${what} to show ${test}\nstatus: ${status}\nactual:\n${actual}`, { cause: e });
  }
}
export const waitForOutput = (p, path, test) => waitFor(p, 'output', path, test);
export const waitForEditor = (p, test) => waitFor(p, 'editor', null, test);
export const waitForText = (p, selector, test) => waitFor(p, 'element', selector, test);

/** Saves what `p` shows (the viewport) as tests/browser/screenshots/`name`.png. */
export async function screenshot(p, name) {
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** Loads `url` in `p` and waits until the page says it is ready. */
export async function loadPage(p, url) {
  // A new fragment alone would be a same-document navigation: start afresh.
  if (url.includes('#')) await p.goto('about:blank');
  await p.goto(url);
  await p.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
}

/** Selects the first occurrence of `from` in the editor of `p`, then types `to` over it. */
export async function typeOver(p, from, to) {
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
