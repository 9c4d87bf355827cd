// The npm package (./build.sh npm → dist/npm/overlay-playground-*.tgz) as a
// documentation author uses it: installed from the tarball into a fresh
// project with no network, then loaded from a plain HTML page in Chromium,
// where the element renders and edits with every request on the local
// server. Also: npm pack is reproducible, the engine from the package throws
// a TypeError for a path of the wrong type, and the types name the API.
// Run after ./build.sh npm: node --test tests/npm/
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, launchBrowser, startServer, watchProblems } from '../browser/harness.mjs';

const NPM = join(ROOT, 'dist', 'npm');
let tgz;
let project;
let server;
let closeBrowser;
let context;
let page;
const problems = [];
const foreign = []; // requests that left the local server

const sha = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'">
  <title>Docs page</title>
  <link rel="icon" href="data:,">
  <script type="module" src="node_modules/overlay-playground/dist/overlay-playground.js"></script>
</head>
<body>
  <h1>Overlays</h1>
  <overlay-playground env="apps/production">
    <script type="text/yaml" data-path="apps/base/kustomization.yaml">
      resources:
      - deployment.yaml
    </script>
    <script type="text/yaml" data-path="apps/base/deployment.yaml">
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 1
    </script>
    <script type="text/yaml" data-path="apps/production/kustomization.yaml">
      resources:
      - ../base
      namespace: production
      replicas:
      - name: web
        count: 3
    </script>
  </overlay-playground>
</body>
</html>
`;

describe('the npm package in a fresh project', () => {
  before(async () => {
    assert.ok(existsSync(NPM), 'dist/npm is missing: run ./build.sh npm first');
    const found = readdirSync(NPM).filter((f) => /^overlay-playground-.*\.tgz$/.test(f));
    assert.equal(found.length, 1, `one tarball in dist/npm: ${found}`);
    tgz = join(NPM, found[0]);
    project = mkdtempSync(join(tmpdir(), 'overlay-playground-docs-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'docs', private: true, type: 'module' }));
    // --offline: the tarball has no dependencies, so nothing may be fetched.
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tgz], { cwd: project, stdio: 'pipe' });
    writeFileSync(join(project, 'index.html'), PAGE);
    server = await startServer(project);
    ({ context, page, close: closeBrowser } = await launchBrowser('overlay-playground-npm-'));
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1' || url.protocol === 'data:') return route.continue();
      foreign.push(url.href);
      return route.abort();
    });
    watchProblems(page, problems);
  });

  after(async () => {
    await closeBrowser?.();
    await server?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('packs reproducibly: npm pack twice gives the same bytes', () => {
    const out = mkdtempSync(join(tmpdir(), 'overlay-playground-pack-'));
    try {
      for (const n of ['1', '2']) {
        execFileSync('mkdir', [join(out, n)]);
        execFileSync('npm', ['pack', '--silent', '--pack-destination', join(out, n)], { cwd: join(NPM, 'package'), stdio: 'pipe' });
      }
      const name = readdirSync(join(out, '1'))[0];
      assert.equal(sha(join(out, '1', name)), sha(join(out, '2', name)));
      assert.equal(sha(join(out, '1', name)), sha(tgz), 'and the same as build.sh packed');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('installs what a docs site needs, with its types', () => {
    const pkg = join(project, 'node_modules', 'overlay-playground');
    for (const f of ['dist/overlay-playground.js', 'dist/embed.js', 'embed.html', 'pkg/overlay_bg.wasm', 'pkg/overlay.js', 'index.d.ts', 'engine.d.ts', 'README.md']) {
      assert.ok(existsSync(join(pkg, f)), f);
    }
    const types = readFileSync(join(pkg, 'engine.d.ts'), 'utf8');
    for (const m of ['setFile(path: string, text: string)', 'render(dir: string)', 'renderAll()', 'diff(dirA: string', 'promote(fromDir: string', 'flux(clusterDir: string', 'lint()']) {
      assert.ok(types.includes(m), `engine.d.ts declares ${m}`);
    }
    const element = readFileSync(join(pkg, 'index.d.ts'), 'utf8');
    for (const a of ['preset?:', 'env?:', 'diff?:', 'theme?:', 'readonly?:', 'files?:', "'overlay-playground': OverlayPlaygroundElement"]) {
      assert.ok(element.includes(a), `index.d.ts declares ${a}`);
    }
    const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
    for (const site of ['### A plain page', '### VitePress', '### Docusaurus', '### MkDocs Material']) assert.ok(readme.includes(site), site);
  });

  it('the engine from the package renders, and names a path of the wrong type', () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { initSync, Workspace } from 'overlay-playground/engine';
      initSync({ module: readFileSync(new URL(import.meta.resolve('overlay-playground/engine.wasm'))) });
      const ws = new Workspace();
      ws.setFile('k/kustomization.yaml', 'resources:\\n- cm.yaml\\n');
      ws.setFile('k/cm.yaml', 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: c\\n');
      const out = [ws.render('k').output];
      for (const call of [() => ws.render({}), () => ws.setFile({}, 'x')]) {
        try { call(); out.push('no error'); } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
      }
      console.log(JSON.stringify(out));
    `;
    writeFileSync(join(project, 'engine.mjs'), script);
    const out = JSON.parse(execFileSync('node', ['engine.mjs'], { cwd: project, encoding: 'utf8' }));
    assert.deepEqual(out, [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
      'TypeError: dir must be a string, not object',
      'TypeError: path must be a string, not object',
    ]);
  });

  it('renders and edits in a plain page, with no network and no CDN', async () => {
    await page.goto(server.url);
    await page.locator('overlay-playground[data-ready="true"]').waitFor({ timeout: 15_000 });
    const text = () => page.evaluate(() => document.querySelector('overlay-playground').playground.text());
    const first = await text();
    assert.match(first, /^ {2}namespace: production$/m);
    assert.match(first, /^ {2}replicas: 3$/m);
    // Edit the production kustomization in the element's editor, as typing does.
    await page.locator('overlay-playground .op-tabs button', { hasText: 'apps/production/kustomization.yaml' }).click();
    await page.evaluate(() => {
      const view = document.querySelector('overlay-playground').playground.editor;
      const doc = view.state.doc.toString();
      const at = doc.indexOf('count: 3') + 'count: '.length;
      view.focus();
      view.dispatch({ selection: { anchor: at, head: at + 1 } });
    });
    await page.keyboard.type('7');
    await page.waitForFunction(() => /^ {2}replicas: 7$/m.test(document.querySelector('overlay-playground').playground.text()), null, { timeout: 10_000 });
    assert.deepEqual(foreign, [], 'no request left the local server');
    assert.deepEqual(problems, []);
  });
});
