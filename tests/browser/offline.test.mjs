// Offline use, in Debian's headless Chromium driven by playwright-core: once
// the page has loaded, its service worker (www/sw.js) answers a reload when
// the browser is offline, and when the server is gone altogether; a new
// build replaces the cached copy. Serves a copy of www/, which it changes.
// Run after ./build.sh: node --test tests/browser/offline.test.mjs
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WWW, assertBuilt, launchBrowser, loadPage, outputText, startServer, watchProblems } from './harness.mjs';

let server;
let closeBrowser;
let context;
let page;
let baseUrl;
let site; // the copy of www/ served
let envCount; // environments shown online, before any reload
const problems = []; // page errors while online

async function reloadAndCheck(p = page) {
  const response = await p.reload();
  assert.ok(response?.fromServiceWorker(), 'the service worker answered');
  await p.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
  assert.equal(await p.locator('article.env').count(), envCount, 'every fleet-infra environment is there');
  assert.match(await outputText(p, '/apps/production'), /^ {2}replicas: 5$/m);
  assert.match(await outputText(p, '/apps/staging'), /^ {2}replicas: 2$/m);
  assert.equal(await p.locator('article.env.failed').count(), 0, 'no environment fails');
}

describe('Overlay Playground offline', () => {
  before(async () => {
    assertBuilt(['index.html', 'sw.js', 'dist/main.js', 'dist/offline-assets.js', 'pkg/overlay_bg.wasm', 'pkg/presets.js']);
    site = mkdtempSync(join(tmpdir(), 'overlay-playground-site-'));
    cpSync(WWW, site, { recursive: true });
    server = await startServer(site);
    baseUrl = server.url;
    ({ context, page, close: closeBrowser } = await launchBrowser('overlay-playground-offline-'));
    watchProblems(page, problems, { errorsOnly: true });
  });

  after(async () => {
    await closeBrowser?.();
    await server?.stop();
    if (site) rmSync(site, { recursive: true, force: true });
  });

  it('installs its service worker, which then controls the page', async () => {
    await loadPage(page, baseUrl);
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
    // What the playground loads, its views' chunks included (so that every
    // tab works offline), and no more: the embed's files are kept when a
    // page loads them (not a second download of everything).
    const chunks = readdirSync(join(site, 'dist')).filter((f) => /^chunk-.*\.js$/.test(f)).map((f) => `/dist/${f}`);
    assert.ok(chunks.length >= 3, 'the Compare, Promote and Clusters views are chunks of their own');
    assert.deepEqual(cached.sort(), [...chunks, '/dist/main.js', '/dist/worker.js', '/index.html', '/pkg/overlay_bg.wasm', '/style.css'].sort());
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
    await server.stop();
    await assert.rejects(fetch(baseUrl), 'the server really is gone');
    await reloadAndCheck();
    const other = await context.newPage();
    try {
      const response = await other.goto(baseUrl);
      assert.ok(response?.fromServiceWorker(), 'the service worker answered');
      await other.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
      assert.match(await outputText(other, '/apps/production'), /^ {2}replicas: 5$/m);
    } finally {
      await other.close();
    }
  });
});
