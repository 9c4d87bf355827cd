// Offline use, in Debian's headless Chromium driven by playwright-core: once
// the page has loaded, its service worker (www/sw.js) answers a reload when
// the browser is offline, and when the server is gone altogether; a new
// build replaces the cached copy. Serves a copy of www/, which it changes.
// Run after ./build.sh: node --test tests/browser/offline.test.mjs
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WWW = join(ROOT, 'www');
const CHROMIUM = '/usr/bin/chromium';

let server;
let context;
let page;
let baseUrl;
let profile;
let site; // the copy of www/ served
let envCount; // environments shown online, before any reload
const problems = []; // page errors while online

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
  const proc = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', site], {
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

function stopServer() {
  return new Promise((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) return resolve();
    server.once('exit', resolve);
    server.kill();
  });
}

const outputText = (path, p = page) => p.evaluate((x) => window.playground.outputs.text(x), path);

async function reloadAndCheck(p = page) {
  const response = await p.reload();
  assert.ok(response?.fromServiceWorker(), 'the service worker answered');
  await p.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
  assert.equal(await p.locator('article.env').count(), envCount, 'every fleet-infra environment is there');
  assert.match(await outputText('/apps/production', p), /^ {2}replicas: 5$/m);
  assert.match(await outputText('/apps/staging', p), /^ {2}replicas: 2$/m);
  assert.equal(await p.locator('article.env.failed').count(), 0, 'no environment fails');
}

describe('Overlay Playground offline', () => {
  before(async () => {
    for (const f of ['index.html', 'sw.js', 'dist/main.js', 'dist/offline-assets.js', 'pkg/overlay_bg.wasm', 'pkg/presets.js']) {
      assert.ok(existsSync(join(WWW, f)), `www/${f} is missing: run ./build.sh first`);
    }
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (./build.sh test does)`);
    site = mkdtempSync(join(tmpdir(), 'overlay-playground-site-'));
    cpSync(WWW, site, { recursive: true });
    ({ proc: server, url: baseUrl } = await startServer());
    profile = mkdtempSync(join(tmpdir(), 'overlay-playground-offline-'));
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
  });

  after(async () => {
    await context?.close();
    if (server) await stopServer();
    if (profile) rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    if (site) rmSync(site, { recursive: true, force: true });
  });

  it('installs its service worker, which then controls the page', async () => {
    await page.goto(baseUrl);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
    envCount = await page.locator('article.env').count();
    assert.ok(envCount >= 4, `fleet-infra shows its environments (${envCount})`);
    // clients.claim(): the first load comes under control once the worker
    // has cached everything and activated.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith('overlay-playground-')));
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    // What the playground loads, and no more: the embed's files are kept
    // when a page loads them (not a second download of everything).
    assert.deepEqual(cached.sort(), ['/dist/main.js', '/index.html', '/pkg/overlay_bg.wasm', '/style.css']);
    assert.deepEqual(problems, []);
  });

  it('picks up a new build: a new cache, the old one dropped', async () => {
    const cacheNames = () => page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith('overlay-playground-')));
    const [old] = await cacheNames();
    // A new build as build.sh makes one: changed files, a new version.
    const index = join(site, 'index.html');
    writeFileSync(index, readFileSync(index, 'utf8').replace('</body>', '<!-- build 2 -->\n</body>'));
    const assets = join(site, 'dist', 'offline-assets.js');
    writeFileSync(assets, readFileSync(assets, 'utf8').replace(/OFFLINE_VERSION = '[^']*'/, "OFFLINE_VERSION = 'build-2'"));
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
    await page.waitForFunction(async () => {
      const names = (await caches.keys()).filter((n) => n.startsWith('overlay-playground-'));
      return names.length === 1 && names[0] === 'overlay-playground-build-2';
    }, null, { timeout: 20_000, polling: 100 });
    assert.notEqual(old, 'overlay-playground-build-2');
  });

  it('reloads while the browser is offline, with the new build', async () => {
    await context.setOffline(true);
    try {
      await reloadAndCheck();
      assert.match(await page.content(), /<!-- build 2 -->/);
    } finally {
      await context.setOffline(false);
    }
  });

  it('reloads, and opens in a new tab, once the server is gone', async () => {
    await stopServer();
    await assert.rejects(fetch(baseUrl), 'the server really is gone');
    await reloadAndCheck();
    const other = await context.newPage();
    try {
      const response = await other.goto(baseUrl);
      assert.ok(response?.fromServiceWorker(), 'the service worker answered');
      await other.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
      assert.match(await outputText('/apps/production', other), /^ {2}replicas: 5$/m);
    } finally {
      await other.close();
    }
  });
});
