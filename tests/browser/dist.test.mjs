// The site to host (./build.sh dist → dist/site/) served under a sub-path,
// /tools/overlay/, by a small server that sends the precompressed .br/.gz
// files as a static host would: the page renders, its service worker's scope
// is that sub-path, and a reload works offline. Also checks the .gz/.br
// copies and _headers against the files.
// Run after ./build.sh dist: node --test tests/browser/dist.test.mjs
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ROOT, launchBrowser, loadPage, outputText, typeOver, waitForOutput, watchProblems } from './harness.mjs';

const SITE = join(ROOT, 'dist', 'site');
const PREFIX = '/tools/overlay/';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm' };

let server;
let baseUrl;
let closeBrowser;
let context;
let page;
const problems = [];
const outside = []; // requests that left the prefix
const encodings = new Set(); // Content-Encodings sent

function serve(req, res) {
  const url = new URL(req.url, 'http://x');
  if (!url.pathname.startsWith(PREFIX)) {
    outside.push(url.pathname);
    res.writeHead(404).end();
    return;
  }
  let path = decodeURIComponent(url.pathname.slice(PREFIX.length)) || 'index.html';
  path = normalize(path);
  const file = join(SITE, path);
  if (!file.startsWith(SITE + sep) || !existsSync(file) || statSync(file).isDirectory()) {
    res.writeHead(404).end();
    return;
  }
  const accepts = req.headers['accept-encoding'] ?? '';
  const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding' };
  let body = readFileSync(file);
  for (const [enc, ext] of [['br', '.br'], ['gzip', '.gz']]) {
    if (accepts.includes(enc) && existsSync(file + ext)) {
      body = readFileSync(file + ext);
      headers['Content-Encoding'] = enc;
      encodings.add(enc);
      break;
    }
  }
  res.writeHead(200, headers).end(body);
}

function siteFiles(dir = SITE, base = '') {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? siteFiles(join(dir, e), `${base}${e}/`) : [`${base}${e}`]));
}

describe('the site from ./build.sh dist, under a sub-path', () => {
  before(async () => {
    assert.ok(existsSync(join(SITE, 'index.html')), 'dist/site/index.html is missing: run ./build.sh dist first');
    server = createServer(serve);
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${server.address().port}${PREFIX}`;
    ({ context, page, close: closeBrowser } = await launchBrowser('overlay-playground-dist-'));
    watchProblems(page, problems);
  });

  after(async () => {
    await closeBrowser?.();
    await new Promise((r) => (server ? server.close(r) : r()));
  });

  it('has a .gz and a .br beside each file, each the file compressed', () => {
    const files = siteFiles().filter((f) => !/\.(gz|br)$/.test(f) && f !== '_headers');
    assert.ok(files.length >= 10, `files: ${files}`);
    for (const f of files) {
      const raw = readFileSync(join(SITE, f));
      assert.ok(gunzipSync(readFileSync(join(SITE, `${f}.gz`))).equals(raw), `${f}.gz`);
      assert.ok(brotliDecompressSync(readFileSync(join(SITE, `${f}.br`))).equals(raw), `${f}.br`);
    }
  });

  it('has _headers: the CSP, hashed assets immutable, the pages revalidated', () => {
    const headers = readFileSync(join(SITE, '_headers'), 'utf8');
    const rule = (path) => headers.split(/\n(?=\/)/).find((block) => block.startsWith(`${path}\n`)) ?? '';
    assert.match(rule('/*'), /Content-Security-Policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval';/);
    for (const f of ['index.html', 'embed.html', 'docs-example.html', 'sw.js', 'dist/offline-assets.js']) {
      assert.match(rule(`/${f}`), /Cache-Control: no-cache/, f);
    }
    const hashed = siteFiles().filter((f) => /\.[0-9a-f]{10}\.(js|css|wasm)$/.test(f));
    assert.ok(hashed.some((f) => f.startsWith('pkg/overlay_bg.')), `hashed: ${hashed}`);
    for (const f of hashed) assert.match(rule(`/${f}`), /Cache-Control: public, max-age=31536000, immutable/, f);
    // Every asset the pages load has its hash in its name.
    const index = readFileSync(join(SITE, 'index.html'), 'utf8');
    for (const m of index.matchAll(/(?:href|src)="([^"]+)"/g)) {
      if (m[1] !== 'data:,') assert.ok(hashed.includes(m[1]), `${m[1]} is hashed`);
    }
  });

  it('renders under the sub-path, precompressed, every request inside it', async () => {
    await loadPage(page, baseUrl);
    const envs = await page.locator('article.env').count();
    assert.ok(envs >= 4, `fleet-infra shows its environments (${envs})`);
    assert.match(await outputText(page, '/apps/production'), /^ {2}replicas: 5$/m);
    assert.equal(await page.locator('article.env.failed').count(), 0);
    assert.ok(encodings.has('br'), 'Chromium took the .br files');
    assert.deepEqual(outside, [], 'nothing was requested outside /tools/overlay/');
    assert.deepEqual(problems, []);
  });

  it('its service worker controls the sub-path and answers offline', async () => {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).scope);
    assert.equal(scope, baseUrl);
    await context.setOffline(true);
    try {
      const response = await page.reload();
      assert.ok(response?.fromServiceWorker(), 'the service worker answered');
      await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
      assert.match(await outputText(page, '/apps/production'), /^ {2}replicas: 5$/m);
      // And it still edits: the engine runs offline.
      await page.locator('button.file[data-path="apps/production/my-app-patch.yaml"]').click();
      await typeOver(page, 'replicas: 5', 'replicas: 7');
      await waitForOutput(page, '/apps/production', /^ {2}replicas: 7$/m);
    } finally {
      await context.setOffline(false);
    }
    assert.deepEqual(outside, []);
  });

  it('serves the embed and the docs example from the sub-path', async () => {
    const other = await context.newPage();
    const seen = [];
    watchProblems(other, seen);
    try {
      await other.goto(`${baseUrl}docs-example.html`);
      await other.locator('overlay-playground[data-ready="true"]').first().waitFor({ timeout: 15_000 });
      assert.match(await other.evaluate(() => document.querySelector('overlay-playground').playground.text()), /kind: /);
      assert.deepEqual(seen, []);
      assert.deepEqual(outside, []);
    } finally {
      await other.close();
    }
  });
});
