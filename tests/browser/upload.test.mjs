// Uploads as a new user makes them: corpus repositories of ../shared/realworld
// as a folder and as a .zip (every file kept: the count equals the files on
// disk minus the skips the page reports), a reload that brings back all of
// it, switching workspaces, a binary file through upload → Download .zip →
// upload byte for byte (and its generator output as kubectl prints it), the
// limits and skips listed by name, a browser that refuses to store, and
// share links (one that opens, and a tree too big for one).
//
// The corpus repositories in CI: the three small ones and kubeflow. argo-cd
// (3,400 files, 40 MB) only with REALWORLD_HEAVY=1; ./build.sh measure times it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT, assertBuilt, launchBrowser, loadPage, outputText, startServer, waitForOutput, waitForText, watchProblems } from './harness.mjs';

const REALWORLD = join(ROOT, '..', 'shared', 'realworld');
const REPOS = [
  'kostis-codefresh+gitops-environment-promotion',
  'fluxcd+flux2-kustomize-helm-example',
  'onedr0p+home-ops',
  'kubeflow+manifests',
  ...(process.env.REALWORLD_HEAVY ? ['argoproj+argo-cd'] : []),
];
const SKIP_DIR = /(^|\/)(\.git|node_modules)(\/|$)/;

/** Regular files under `dir` (what a folder upload hands the page; symlinks are not files here), relative paths. */
function filesOnDisk(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath ?? d.path, d.name)).split('\\').join('/'))
    .sort();
}

/** Waits for the upload the page is reading to be shown; returns its report. */
async function uploaded(page, before) {
  await page.waitForFunction((seq) => (window.playground.lastUpload()?.seq ?? 0) > seq && document.body.dataset.ready === 'true',
    before?.seq ?? 0, { timeout: 180_000, polling: 100 });
  return page.evaluate(() => window.playground.lastUpload());
}
const lastUpload = (page) => page.evaluate(() => window.playground.lastUpload());
const skipCount = (report) => report.skipped.length + Object.values(report.ignored).reduce((a, b) => a + b, 0);
const stateFiles = (page) => page.evaluate(() => {
  const out = {};
  for (const [p, v] of Object.entries(window.playground.state().files)) out[p] = typeof v === 'string' ? v : { bytes: [...v] };
  return out;
});

// kubectl kustomize (v5.5.0) of the binary fixture below: a non-UTF-8 file goes to binaryData.
const BINARY_GOLDEN = `apiVersion: v1
binaryData:
  logo.png: iVBORw0KGgoA//6AAA==
data:
  mode: dark
kind: ConfigMap
metadata:
  name: assets-hmkt67bh2f
`;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80, 0x00]);

describe('Overlay Playground uploads', { timeout: 1_200_000 }, () => {
  let server;
  let browser;
  let page;
  let tmp;
  const problems = [];

  before(async () => {
    assertBuilt(['index.html', 'dist/main.js', 'dist/worker.js', 'pkg/overlay_bg.wasm']);
    server = await startServer();
    browser = await launchBrowser('overlay-playground-upload-');
    page = browser.page;
    watchProblems(page, problems, { errorsOnly: true });
    page.setDefaultTimeout(60_000);
    tmp = mkdtempSync(join(tmpdir(), 'overlay-upload-'));
    await loadPage(page, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('keeps a binary file byte for byte through upload → Download .zip → upload, and generates binaryData as kubectl does', async () => {
    const dir = join(tmp, 'binary-repo');
    mkdirSync(join(dir, '.git'), { recursive: true });
    mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(dir, 'logo.png'), PNG);
    writeFileSync(join(dir, 'kustomization.yaml'), 'configMapGenerator:\n- name: assets\n  files:\n  - logo.png\n  literals:\n  - mode=dark\n');
    writeFileSync(join(dir, '.git', 'config'), '[core]\n');
    writeFileSync(join(dir, 'node_modules', 'x', 'index.js'), 'module.exports = 1;\n');
    // 33 MiB (sparse): over the 32 MiB limit for a file, listed by name.
    writeFileSync(join(dir, 'huge.bin'), '');
    truncateSync(join(dir, 'huge.bin'), 33 * 1024 * 1024);

    const before = await lastUpload(page);
    await page.locator('#upload-folder').setInputFiles(dir);
    const report = await uploaded(page, before);
    assert.equal(report.files, 2);
    assert.deepEqual(report.ignored, { '.git': 1, node_modules: 1 });
    assert.deepEqual(report.skipped.map((s) => s.path), ['binary-repo/huge.bin']);
    assert.match(await page.locator('#status').textContent(), /skipped \.git\/ \(1 file\) and node_modules\/ \(1 file\)/);
    assert.match(await page.locator('#banner').textContent(), /huge\.bin: 33\.0 MiB, over the 32 MiB limit/);
    await waitForOutput(page, '/', 'binaryData');
    assert.equal(await outputText(page, '/'), BINARY_GOLDEN);
    assert.equal(await page.locator('#editor-path').textContent(), 'kustomization.yaml', 'the kustomization of the first environment is opened');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-zip').click()]);
    const zip = join(tmp, 'binary-repo.zip');
    await download.saveAs(zip);
    const py = 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(z.read("logo.png").hex())';
    assert.equal(execFileSync('python3', ['-c', py, zip], { encoding: 'utf8' }).trim(), PNG.toString('hex'), 'the zip holds the bytes');

    const again = await lastUpload(page);
    await page.locator('#upload-zip').setInputFiles(zip);
    const second = await uploaded(page, again);
    assert.equal(second.files, 2);
    const files = await stateFiles(page);
    assert.deepEqual(files['logo.png'], { bytes: [...PNG] }, 'byte for byte after upload → zip → upload');
    await waitForOutput(page, '/', 'binaryData');
    assert.equal(await outputText(page, '/'), BINARY_GOLDEN);
  });

  for (const repo of REPOS) {
    for (const how of ['folder', 'zip']) {
      it(`loads every file of ${repo} as a ${how}, and a reload brings all of it back`, async (t) => {
        const dir = join(REALWORLD, repo);
        if (!existsSync(dir)) { t.skip(`${dir} is absent`); console.log(`skipped: ${dir} is absent`); return; }
        const disk = filesOnDisk(dir);
        const before = await lastUpload(page);
        if (how === 'folder') {
          await page.locator('#upload-folder').setInputFiles(dir);
        } else {
          const zip = join(tmp, `${repo}.zip`);
          if (!existsSync(zip)) {
            execFileSync('python3', ['-c', 'import os,sys,zipfile\nroot,out=sys.argv[1],sys.argv[2]\nwith zipfile.ZipFile(out,"w",zipfile.ZIP_DEFLATED) as z:\n  for d,_,fs in os.walk(root):\n    for f in fs:\n      p=os.path.join(d,f)\n      if os.path.isfile(p) and not os.path.islink(p): z.write(p, os.path.join(os.path.basename(root), os.path.relpath(p, root)))', dir, zip]);
          }
          await page.locator('#upload-zip').setInputFiles(zip);
        }
        const report = await uploaded(page, before);
        assert.equal(report.files + skipCount(report), disk.filter((p) => !SKIP_DIR.test(p)).length + disk.filter((p) => SKIP_DIR.test(p)).length,
          `files loaded + reported skips = files on disk (${JSON.stringify(report.skipped.slice(0, 5))})`);
        assert.deepEqual(report.skipped, [], 'nothing in the corpus passes a limit');
        const files = await stateFiles(page);
        assert.deepEqual(Object.keys(files).sort(), disk);
        // Byte for byte, text and binary alike (a sample: every 7th file).
        for (const p of disk.filter((_, i) => i % 7 === 0)) {
          const want = readFileSync(join(dir, p));
          const got = files[p];
          if (typeof got === 'string') assert.equal(got, want.toString('utf8'), p);
          else assert.deepEqual(got.bytes, [...want], p);
        }
        assert.ok(await page.locator('article.env').count() > 0, 'environments found');
        const opened = await page.locator('#editor-path').textContent();
        assert.match(opened, /(^|\/)(kustomization\.ya?ml|Kustomization)$/, 'a kustomization is opened');

        // A reload finds exactly this workspace.
        await page.reload();
        await page.locator('body[data-ready="true"]').waitFor({ timeout: 120_000 });
        const back = await stateFiles(page);
        assert.equal(Object.keys(back).length, disk.length);
        assert.deepEqual(back, files, 'the same files after a reload');
        assert.equal(await page.locator('#workspace').inputValue(), repo);
        assert.deepEqual(problems, []);
      });
    }
  }

  it('switches between saved workspaces without losing edits', async () => {
    const names = await page.locator('#workspace option').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(names.includes('binary-repo'), names.join(', '));
    await page.locator('#workspace').selectOption('binary-repo');
    await waitForOutput(page, '/', 'binaryData');
    await page.evaluate(() => window.playground.openFile('kustomization.yaml'));
    await page.evaluate(() => {
      const v = window.playground.editor;
      v.dispatch({ changes: { from: v.state.doc.toString().indexOf('mode=dark') + 5, to: v.state.doc.toString().indexOf('mode=dark') + 9, insert: 'light' } });
    });
    await waitForOutput(page, '/', 'mode: light');
    const other = names.find((n) => n !== 'binary-repo');
    await page.locator('#workspace').selectOption(other);
    await page.waitForFunction((n) => window.playground.state().name === n, other);
    await page.locator('#workspace').selectOption('binary-repo');
    await waitForOutput(page, '/', 'mode: light');
    assert.deepEqual((await stateFiles(page))['logo.png'], { bytes: [...PNG] });
  });

  it('shows a real cluster of 78 Kustomizations readable: a scrolling graph at a readable zoom, the order list, no blank view', async (t) => {
    const repo = 'onedr0p+home-ops';
    const names = await page.locator('#workspace option').evaluateAll((os) => os.map((o) => o.value));
    if (!names.includes(repo)) { t.skip(`${repo} was not uploaded`); return; }
    await page.locator('#workspace').selectOption(repo);
    await page.waitForFunction((n) => window.playground.state().name === n, repo);
    await page.locator('#tab-clusters').click();
    await page.locator('#cl-cluster').selectOption('/kubernetes/flux/cluster');
    await page.waitForFunction(() => /^78 Kustomizations in kubernetes\/flux\/cluster/.test(document.querySelector('.cl-summary')?.textContent ?? ''), null, { timeout: 120_000 });
    const { natural, drawn, canvas, scrolls } = await page.locator('svg.cl-svg').evaluate((svg) => ({
      natural: Number(svg.dataset.width), drawn: svg.getBoundingClientRect().width, canvas: svg.parentElement.clientWidth,
      scrolls: svg.parentElement.scrollHeight > svg.parentElement.clientHeight || svg.parentElement.scrollWidth > svg.parentElement.clientWidth,
    }));
    assert.ok(drawn >= natural * 0.6 - 1, `drawn at ${drawn} px of ${natural}: not shrunk to a hairline`);
    assert.ok(scrolls, 'bigger than the pane: the canvas scrolls');
    assert.equal(await page.locator('.cl-order-list > li').count(), 78);
    await page.getByRole('button', { name: 'Fit' }).click();
    assert.ok((await page.locator('svg.cl-svg').evaluate((svg) => svg.getBoundingClientRect().width)) <= canvas + 1, 'Fit shows all of it');
    await page.screenshot({ path: join(ROOT, 'tests', 'browser', 'screenshots', '20-cluster-78.png') });
    await page.locator('#tab-envs').click();
  });

  it('pins a kustomization directory as an environment, keeps the pin across a reload, filters the environments, and unpins', async (t) => {
    const repo = 'kostis-codefresh+gitops-environment-promotion';
    const names = await page.locator('#workspace option').evaluateAll((os) => os.map((o) => o.value));
    if (!names.includes(repo)) { t.skip(`${repo} was not uploaded`); return; }
    await page.locator('#workspace').selectOption(repo);
    await page.waitForFunction((n) => window.playground.state().name === n, repo);
    assert.equal(await page.locator('article.env[data-env="/base"]').count(), 0, 'base is not an environment of its own');
    await page.evaluate(() => window.playground.openFile('base/kustomization.yml'));
    await page.locator('#pin').click();
    await page.locator('article.env[data-env="/base"]').waitFor();
    await waitForOutput(page, '/base', 'kind: Deployment');
    assert.equal(await page.locator('#pin').textContent(), 'Unpin');

    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 120_000 });
    await page.locator('article.env[data-env="/base"]').waitFor();
    assert.deepEqual(await page.evaluate(() => window.playground.state().pins), ['/base'], 'the pin is saved with the workspace');

    // The filter keeps the panels whose path holds every word.
    await page.locator('#env-filter').fill('base');
    assert.deepEqual(await page.locator('article.env:not([hidden])').evaluateAll((n) => n.map((x) => x.dataset.env)), ['/base']);
    await page.locator('#env-filter').fill('');
    assert.ok(await page.locator('article.env:not([hidden])').count() > 1);

    await page.evaluate(() => window.playground.openFile('base/kustomization.yml'));
    await page.locator('#pin').click();
    await page.locator('article.env[data-env="/base"]').waitFor({ state: 'detached' });
    assert.deepEqual(await page.evaluate(() => window.playground.state().pins), []);
  });

  it('opens a share link of an uploaded workspace, and says a tree too big for a link is too big', async () => {
    await page.locator('#workspace').selectOption('binary-repo');
    await waitForOutput(page, '/', 'mode: light');
    await page.locator('#share').click();
    const link = await page.locator('.share-url').inputValue();
    // Edit after sharing: the link then differs from the saved workspace.
    await page.evaluate(() => {
      const v = window.playground.editor;
      v.dispatch({ changes: { from: 0, insert: '# after sharing\n' } });
    });
    await waitForOutput(page, '/', 'mode: light');
    await loadPage(page, link);
    await waitForOutput(page, '/', 'mode: light');
    assert.deepEqual((await stateFiles(page))['logo.png'], { bytes: [...PNG] }, 'binary files travel in links too');
    assert.doesNotMatch((await stateFiles(page))['kustomization.yaml'], /after sharing/);
    await page.getByRole('button', { name: 'Back to my workspace' }).click();
    await page.waitForFunction(() => window.playground.state().files['kustomization.yaml'].includes('# after sharing'));

    // kubeflow (33 MB) cannot travel in a link: Share says so and offers the zip.
    const names = await page.locator('#workspace option').evaluateAll((os) => os.map((o) => o.value));
    if (!names.includes('kubeflow+manifests')) return;
    await page.locator('#workspace').selectOption('kubeflow+manifests');
    await page.waitForFunction(() => window.playground.state().name === 'kubeflow+manifests');
    await page.locator('#share').click();
    await waitForText(page, '#banner', /too large for a link/);
    await page.locator('#banner').getByRole('button', { name: 'Download .zip' }).waitFor();
    assert.equal(await page.locator('.share-url').count(), 0, 'no link handed out');
  });

  it('finds the longest link Chromium opens: MAX_LINK characters (2 MiB), and not one more', async () => {
    const { MAX_LINK } = await import('../../www/src/share.js');
    const probe = await browser.context.newPage();
    try {
      const base = `${server.url}embed.css#`;
      await probe.goto(base + 'x'.repeat(MAX_LINK - base.length));
      assert.equal(await probe.evaluate(() => location.href.length), MAX_LINK, 'a link of MAX_LINK characters opens whole');
      await probe.goto('about:blank');
      await assert.rejects(probe.goto(base + 'x'.repeat(MAX_LINK + 1 - base.length)), /ERR_ABORTED|ERR_INVALID_URL/, 'one character more is refused');
    } finally {
      await probe.close();
    }
  });

  it('tells at once when the browser refuses to store, with Download .zip', async () => {
    const { context } = browser;
    const fresh = await context.newPage();
    watchProblems(fresh, problems, { errorsOnly: true });
    await loadPage(fresh, server.url);
    // IndexedDB refuses the writes as a full disk does: each write transaction
    // aborts with a QuotaExceededError. (Storage.overrideQuotaForOrigin would be
    // the real thing, but headless Chromium here still grants 10 GB to IndexedDB.)
    await fresh.evaluate(() => {
      const real = IDBDatabase.prototype.transaction;
      IDBDatabase.prototype.transaction = function (...args) {
        const tx = real.apply(this, args);
        if (args[1] === 'readwrite') {
          Object.defineProperty(tx, 'error', { get: () => new DOMException('The quota has been exceeded.', 'QuotaExceededError') });
          setTimeout(() => tx.abort());
        }
        return tx;
      };
    });
    const dir = join(REALWORLD, 'onedr0p+home-ops');
    const big = existsSync(dir) ? dir : join(tmp, 'binary-repo');
    const before = await lastUpload(fresh);
    await fresh.locator('#upload-folder').setInputFiles(big);
    await uploaded(fresh, before);
    await waitForText(fresh, '#banner', /refused to store the workspace/);
    await fresh.locator('#banner').getByRole('button', { name: 'Download .zip' }).waitFor();
    assert.match(await fresh.locator('#status').textContent(), /Saving failed: this browser refused to store the workspace \(storage full\)/);
    await fresh.close();
  });
});
