// The page, end to end, in Debian's headless Chromium driven by playwright-core:
// serve www/ (after ./build.sh), render the fleet-infra preset, edit a patch,
// break it, reload, reset. Run: node --test tests/browser/
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WWW = join(ROOT, 'www');
const SHOTS = join(ROOT, 'tests', 'browser', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';
const PATCH = 'apps/production/my-app-patch.yaml';

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

const sel = {
  env: (path) => `article.env[data-env="${path}"]`,
  output: (path) => `${sel.env(path)} pre.output`,
  errors: (path) => `${sel.env(path)} ul.errors`,
};
const env = (path) => page.locator(sel.env(path));
const outputOf = (path) => page.locator(sel.output(path));
const editor = () => page.locator('#editor');
const classesOf = async (path) => (await env(path).getAttribute('class')).split(/\s+/).sort();

/** Waits until the text of `selector` satisfies `test` (a substring or RegExp). */
async function waitForText(selector, test, { timeout = 10_000 } = {}) {
  const source = test instanceof RegExp ? { re: test.source, flags: test.flags } : { sub: test };
  try {
    await page.waitForFunction(
      ([sel, t]) => {
        const node = document.querySelector(sel);
        if (!node || node.hidden) return false;
        const text = node.textContent;
        return t.sub !== undefined ? text.includes(t.sub) : new RegExp(t.re, t.flags).test(text);
      },
      [selector, source],
      { timeout },
    );
  } catch (e) {
    const actual = await page.locator(selector).first().textContent().catch(() => '(no such element)');
    const status = await page.locator('#status').textContent().catch(() => '');
    throw new Error(`timed out waiting for ${selector} to show ${test}\nstatus: ${status}\nactual:\n${actual}`, { cause: e });
  }
}

async function screenshot(name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function loadPage() {
  await page.goto(baseUrl);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
}

/** Replaces the first occurrence of `from` in the editor with `to`, by typing. */
async function typeOver(from, to) {
  const found = await editor().evaluate((ta, from) => {
    const i = ta.value.indexOf(from);
    if (i < 0) return false;
    ta.focus();
    ta.setSelectionRange(i, i + from.length);
    return true;
  }, from);
  assert.ok(found, `the editor should contain ${JSON.stringify(from)}`);
  await page.keyboard.type(to);
}

describe('Overlay Playground page', () => {
  before(async () => {
    for (const f of ['index.html', 'pkg/overlay.js', 'pkg/overlay_bg.wasm', 'pkg/presets.js']) {
      assert.ok(existsSync(join(WWW, f)), `www/${f} is missing: run ./build.sh first`);
    }
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (./build.sh test does)`);
    mkdirSync(SHOTS, { recursive: true });
    ({ proc: server, url: baseUrl } = await startServer());
    profile = mkdtempSync(join(tmpdir(), 'overlay-playground-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console.error: ${m.text()}`); });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  });

  after(async () => {
    await context?.close();
    server?.kill();
    if (profile) rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  });

  it('renders every environment of the fleet-infra preset, in promotion order', async () => {
    await loadPage();
    const envs = await page.locator('article.env').evaluateAll((nodes) => nodes.map((n) => n.dataset.env));
    assert.deepEqual(envs, [
      '/apps/staging',
      '/apps/production',
      '/apps/base/redis',
      '/infrastructure/staging',
      '/infrastructure/production',
    ]);
    await waitForText(sel.output('/apps/production'), 'kind: Deployment');
    const production = await outputOf('/apps/production').textContent();
    assert.match(production, /^kind: Deployment$/m);
    assert.match(production, /^ {2}namespace: production$/m);
    assert.match(production, /^ {2}replicas: 5$/m);
    assert.match(production, /^kind: Service$/m);
    const staging = await outputOf('/apps/staging').textContent();
    assert.match(staging, /^kind: Deployment$/m);
    assert.match(staging, /^ {2}namespace: staging$/m);
    assert.match(staging, /^ {2}replicas: 2$/m);
    assert.doesNotMatch(staging, /namespace: production/);
    const infra = await outputOf('/infrastructure/production').textContent();
    assert.match(infra, /replicaCount: 3/);
    assert.equal(await page.locator('article.env.failed').count(), 0, 'no environment should fail');
    await screenshot('1-preset');
  });

  it('re-renders production when its patch changes, and leaves staging alone', async () => {
    const stagingBefore = await outputOf('/apps/staging').textContent();
    await page.locator(`button.file[data-path="${PATCH}"]`).click();
    assert.equal(await page.locator('#editor-path').textContent(), PATCH);
    assert.match(await editor().inputValue(), /^ {2}replicas: 5$/m);
    await typeOver('replicas: 5', 'replicas: 7');
    await waitForText(sel.output('/apps/production'), 'replicas: 7');
    const production = await outputOf('/apps/production').textContent();
    assert.match(production, /^ {2}replicas: 7$/m);
    assert.doesNotMatch(production, /replicas: 5/);
    assert.equal(await outputOf('/apps/staging').textContent(), stagingBefore);
    assert.deepEqual(await classesOf('/apps/production'), ['changed', 'env'], 'the changed panel flashes');
    assert.deepEqual(await classesOf('/apps/staging'), ['env']);
    assert.equal(await page.locator(`button.file[data-path="${PATCH}"] .modified`).count(), 1, 'the file is marked edited');
    await screenshot('2-edited');
  });

  it('restores the edit after a reload', async () => {
    await loadPage();
    assert.equal(await page.locator('#editor-path').textContent(), PATCH, 'the open file is restored');
    assert.match(await editor().inputValue(), /^ {2}replicas: 7$/m);
    await waitForText(sel.output('/apps/production'), 'replicas: 7');
  });

  it('shows an error naming the file and line when the YAML breaks', async () => {
    const stagingBefore = await outputOf('/apps/staging').textContent();
    // Line 6 becomes `  replicas: 7: 8`: a mapping value where none may be.
    await typeOver('replicas: 7', 'replicas: 7: 8');
    const where = /apps\/production\/my-app-patch\.yaml:6:\d+: \S/;
    await waitForText(sel.errors('/apps/production'), where);
    assert.equal(await outputOf('/apps/production').isHidden(), true, 'no stale output beside the error');
    assert.ok((await classesOf('/apps/production')).includes('failed'), 'the panel is marked failed');
    assert.equal(await outputOf('/apps/staging').textContent(), stagingBefore, 'staging still renders');
    await screenshot('3-error');

    // The error is a link to its place: it selects line 6 in the editor.
    await env('/apps/production').locator('.error-link').first().click();
    const line = await editor().evaluate((ta) => ta.value.slice(0, ta.selectionStart).split('\n').length);
    assert.equal(line, 6);
  });

  it('resets to the preset', async () => {
    page.once('dialog', (d) => d.accept());
    await page.locator('#reset').click();
    await waitForText(sel.output('/apps/production'), 'replicas: 5');
    assert.equal(await page.locator('button.file .modified').count(), 0, 'no file is marked edited');
    await loadPage();
    await waitForText(sel.output('/apps/production'), 'replicas: 5');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot('4-reset-dark');
  });

  it('switches to another preset, and keeps it across a reload', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('#preset').selectOption('clusters-per-env');
    await waitForText(sel.output('/clusters/prod'), 'namespace: prod');
    const envs = await page.locator('article.env').evaluateAll((nodes) => nodes.map((n) => n.dataset.env));
    assert.deepEqual(envs, ['/clusters/dev', '/clusters/staging', '/clusters/prod']);
    assert.match(await outputOf('/clusters/dev').textContent(), /^ {2}namespace: dev$/m);
    assert.match(await outputOf('/clusters/prod').textContent(), /^ {2}replicas: 5$/m);
    assert.equal(await page.locator(`button.file[data-path="${PATCH}"]`).count(), 0, 'the old tree is gone');
    await loadPage();
    assert.equal(await page.locator('#preset').inputValue(), 'clusters-per-env');
    await waitForText(sel.output('/clusters/staging'), 'namespace: staging');
    await screenshot('5-clusters-per-env');
  });

  it('logged no page error, console error or failed request', () => {
    assert.deepEqual(problems, []);
  });
});
