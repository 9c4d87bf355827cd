// The page, end to end, in Debian's headless Chromium driven by playwright-core:
// serve www/ (after ./build.sh), render the fleet-infra preset, edit a patch,
// break it, reload, reset, share, two tabs, hostile input, embeds, axe, phone. Run: node --test tests/browser/
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT, SHOTS, WWW, assertBuilt, cursorLine, editorText, launchBrowser, loadPage, outputText, screenshot, startServer,
  savedText, typeOver, waitForOutput, waitForText, watchProblems,
} from './harness.mjs';

const PATCH = 'apps/production/my-app-patch.yaml';

let server;
let closeBrowser;
let context;
let page;
let baseUrl;
let profile; // the browser's profile directory, also where the test saves a download
const problems = []; // page errors, console errors, failed requests

const sel = {
  env: (path) => `article.env[data-env="${path}"]`,
  errors: (path) => `${sel.env(path)} ul.errors`,
};
const env = (path) => page.locator(sel.env(path));
const classesOf = async (path) => (await env(path).getAttribute('class')).split(/\s+/).filter((c) => c !== 'selected').sort();

describe('Overlay Playground page', () => {
  before(async () => {
    assertBuilt(['index.html', 'embed.html', 'dist/main.js', 'dist/embed.js', 'dist/overlay-playground.js', 'pkg/overlay_bg.wasm', 'pkg/presets.js']);
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer();
    baseUrl = server.url;
    ({ context, page, profile, close: closeBrowser } = await launchBrowser());
    watchProblems(page, problems);
  });

  after(async () => {
    await closeBrowser?.();
    await server?.stop();
  });

  it('renders every environment of the fleet-infra preset, in promotion order', async () => {
    await loadPage(page, baseUrl);
    const envs = await page.locator('article.env').evaluateAll((nodes) => nodes.map((n) => n.dataset.env));
    assert.deepEqual(envs, [
      '/apps/staging',
      '/apps/production',
      '/infrastructure/staging',
      '/infrastructure/production',
    ]);
    await waitForOutput(page, '/apps/production', 'kind: Deployment');
    const production = await outputText(page, '/apps/production');
    assert.match(production, /^kind: Deployment$/m);
    assert.match(production, /^ {2}namespace: production$/m);
    assert.match(production, /^ {2}replicas: 5$/m);
    assert.match(production, /^kind: Service$/m);
    const staging = await outputText(page, '/apps/staging');
    assert.match(staging, /^kind: Deployment$/m);
    assert.match(staging, /^ {2}namespace: staging$/m);
    assert.match(staging, /^ {2}replicas: 2$/m);
    assert.doesNotMatch(staging, /namespace: production/);
    const infra = await outputText(page, '/infrastructure/production');
    assert.match(infra, /replicaCount: 3/);
    assert.equal(await page.locator('article.env.failed').count(), 0, 'no environment should fail');
    // The output is a highlighted read-only CodeMirror showing that text.
    assert.match(await env('/apps/production').locator('.cm-content').textContent(), /kind: Service/);
    assert.equal(await env('/apps/production').locator('.cm-content').getAttribute('contenteditable'), 'false');
    assert.equal(await page.locator('#problem-count').textContent(), '0');
    await screenshot(page, '1-preset');
  });

  it('re-renders production when its patch changes, and leaves staging alone', async () => {
    const stagingBefore = await outputText(page, '/apps/staging');
    await page.locator(`button.file[data-path="${PATCH}"]`).click();
    assert.equal(await page.locator('#editor-path').textContent(), PATCH);
    assert.match(await editorText(page), /^ {2}replicas: 5$/m);
    await typeOver(page, 'replicas: 5', 'replicas: 7');
    await waitForOutput(page, '/apps/production', 'replicas: 7');
    const production = await outputText(page, '/apps/production');
    assert.match(production, /^ {2}replicas: 7$/m);
    assert.doesNotMatch(production, /replicas: 5/);
    assert.equal(await outputText(page, '/apps/staging'), stagingBefore);
    assert.deepEqual(await classesOf('/apps/production'), ['changed', 'env'], 'the changed panel flashes');
    assert.deepEqual(await classesOf('/apps/staging'), ['env']);
    assert.equal(await page.locator(`button.file[data-path="${PATCH}"] .modified`).count(), 1, 'the file is marked edited');
    await screenshot(page, '2-edited');
  });

  it('restores the edit after a reload', async () => {
    await loadPage(page, baseUrl);
    assert.equal(await page.locator('#banner').isHidden(), true, 'a reload right after typing is no conflict with oneself');
    assert.equal(await page.locator('#editor-path').textContent(), PATCH, 'the open file is restored');
    assert.match(await editorText(page), /^ {2}replicas: 7$/m);
    await waitForOutput(page, '/apps/production', 'replicas: 7');
  });

  it('shows an error at its line: in the panel, inline in the editor and in the problems list', async () => {
    const stagingBefore = await outputText(page, '/apps/staging');
    // Line 6 becomes `  replicas: 7: 8`: a mapping value where none may be.
    await typeOver(page, 'replicas: 7', 'replicas: 7: 8');
    const where = /apps\/production\/my-app-patch\.yaml:6:\d+: \S/;
    await waitForText(page, sel.errors('/apps/production'), where);
    assert.equal(await env('/apps/production').locator('.output').isHidden(), true, 'no stale output beside the error');
    assert.ok((await classesOf('/apps/production')).includes('failed'), 'the panel is marked failed');
    assert.equal(await outputText(page, '/apps/staging'), stagingBefore, 'staging still renders');

    // Inline: a lint mark on line 6 and an error marker in the gutter.
    await page.locator('#editor .cm-lintRange-error').first().waitFor();
    const markedLine = await page.locator('#editor').evaluate((host) => {
      const mark = host.shadowRoot.querySelector('.cm-lintRange-error');
      const lines = [...host.shadowRoot.querySelectorAll('.cm-line')];
      return lines.indexOf(mark.closest('.cm-line')) + 1;
    });
    assert.equal(markedLine, 6, 'the inline diagnostic is on line 6');
    assert.equal(await page.locator('#editor .cm-lint-marker-error').count(), 1);

    // The problems list names the place and the environment.
    assert.equal(await page.locator('#problem-count').textContent(), '1');
    const problem = page.locator('#problems button.problem').first();
    assert.match(await problem.textContent(), /apps\/production\/my-app-patch\.yaml:6:\d+ .* in apps\/production/);
    assert.equal(await page.locator(`button.file[data-path="${PATCH}"] .file-error`).count(), 1, 'the tree marks the file');
    await screenshot(page, '3-error');

    // Both the panel's error and the problem are links to the place.
    await page.evaluate(() => window.playground.editor.dispatch({ selection: { anchor: 0 } }));
    await env('/apps/production').locator('.error-link').first().click();
    assert.equal(await cursorLine(page), 6);
    await page.evaluate(() => window.playground.editor.dispatch({ selection: { anchor: 0 } }));
    await page.locator(`button.file[data-path="apps/production/kustomization.yaml"]`).click();
    await problem.click();
    assert.equal(await page.locator('#editor-path').textContent(), PATCH, 'the problem opens its file');
    assert.equal(await cursorLine(page), 6);
  });

  it('resets to the preset', async () => {
    page.once('dialog', (d) => d.accept());
    await page.locator('#reset').click();
    await waitForOutput(page, '/apps/production', 'replicas: 5');
    assert.equal(await page.locator('button.file .modified').count(), 0, 'no file is marked edited');
    await loadPage(page, baseUrl);
    await waitForOutput(page, '/apps/production', 'replicas: 5');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, '4-reset-dark');
  });

  it('switches to another preset, and keeps it across a reload', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('#preset').selectOption('clusters-per-env');
    await waitForOutput(page, '/clusters/prod', 'namespace: prod');
    const envs = await page.locator('article.env').evaluateAll((nodes) => nodes.map((n) => n.dataset.env));
    assert.deepEqual(envs, ['/clusters/dev', '/clusters/staging', '/clusters/prod']);
    assert.match(await outputText(page, '/clusters/dev'), /^ {2}namespace: dev$/m);
    assert.match(await outputText(page, '/clusters/prod'), /^ {2}replicas: 5$/m);
    assert.equal(await page.locator(`button.file[data-path="${PATCH}"]`).count(), 0, 'the old tree is gone');
    await loadPage(page, baseUrl);
    assert.equal(await page.locator('#banner').isHidden(), true, 'a reload is no conflict with oneself');
    assert.equal(await page.locator('#preset').inputValue(), 'clusters-per-env');
    await waitForOutput(page, '/clusters/staging', 'namespace: staging');
    await screenshot(page, '5-clusters-per-env');
  });

  it('adds, renames and deletes files, and finds them with Ctrl-P', async () => {
    page.once('dialog', (d) => d.accept('clusters/dev/extra.yaml'));
    await page.locator('#new-file').click();
    await page.locator('button.file[data-path="clusters/dev/extra.yaml"]').waitFor();
    assert.equal(await page.locator('#editor-path').textContent(), 'clusters/dev/extra.yaml');
    page.once('dialog', (d) => d.accept('clusters/dev/renamed.yaml'));
    await page.locator('button[aria-label="Rename clusters/dev/extra.yaml"]').click();
    await page.locator('button.file[data-path="clusters/dev/renamed.yaml"]').waitFor();
    assert.equal(await page.locator('button.file[data-path="clusters/dev/extra.yaml"]').count(), 0);
    page.once('dialog', (d) => d.accept());
    await page.locator('button[aria-label="Delete clusters/dev/renamed.yaml"]').click();
    await page.locator('button.file[data-path="clusters/dev/renamed.yaml"]').waitFor({ state: 'detached' });

    await page.locator('#outputs').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+p');
    await page.locator('dialog.quick-open input').waitFor();
    await page.keyboard.type('prod kust');
    await screenshot(page, '6-quick-open');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#editor-path').textContent(), 'clusters/prod/kustomization.yaml');
  });

  it('round-trips the whole tree through a share link, without overwriting the saved workspace', async () => {
    await page.locator('#preset').selectOption('fleet-infra');
    await waitForOutput(page, '/apps/production', 'replicas: 5');
    await page.locator(`button.file[data-path="${PATCH}"]`).click();
    await typeOver(page, 'replicas: 5', 'replicas: 9');
    await waitForOutput(page, '/apps/production', 'replicas: 9');
    const sharedFiles = await page.evaluate(() => window.playground.state().files);
    await env('/apps/production').locator('.cm-content').focus(); // selects that environment
    await page.locator('#share').click();
    const link = await page.locator('.share-url').inputValue();
    assert.match(link, /#s=[A-Za-z0-9_-]+$/);

    // Keep working after sharing: the saved workspace moves on.
    await typeOver(page, 'replicas: 9', 'replicas: 4');
    await waitForOutput(page, '/apps/production', 'replicas: 4');

    await loadPage(page, link);
    assert.deepEqual(await page.evaluate(() => window.playground.state().files), sharedFiles, 'the same files');
    assert.equal(await page.locator('#editor-path').textContent(), PATCH, 'the same open file');
    assert.deepEqual(await page.locator('article.env.selected').evaluateAll((n) => n.map((x) => x.dataset.env)), ['/apps/production'], 'the same environment');
    await waitForOutput(page, '/apps/production', 'replicas: 9');
    assert.match(await page.locator('#banner').textContent(), /shared workspace/);
    const saved = await savedText(page);
    assert.match(saved, /replicas: 4/, 'the saved workspace is untouched');
    await screenshot(page, '7-shared');
    await page.getByRole('button', { name: 'Back to my workspace' }).click();
    await waitForOutput(page, '/apps/production', 'replicas: 4');
  });

  it('keeps a second tab from silently overwriting the first', async () => {
    const other = await context.newPage();
    await other.goto(baseUrl);
    await other.locator('body[data-ready="true"]').waitFor();
    await page.waitForTimeout(500);
    assert.equal(await page.locator('#banner').isHidden(), true, `a second tab on the same workspace is no conflict: ${await page.evaluate(() => { const c = window.playground.store.conflict; const m = window.playground.state().files; return c ? JSON.stringify(Object.keys({ ...c.files, ...m }).filter((k) => c.files[k] !== m[k]).map((k) => [k, c.files[k], m[k]])) : 'none'; })}`);
    // The other tab edits and saves; this tab is told, and stops saving.
    await other.evaluate(() => {
      const view = window.playground.editor;
      view.dispatch({ changes: { from: view.state.doc.length, insert: '# from the other tab\n' } });
    });
    await page.locator('#banner:not([hidden])').waitFor();
    assert.match(await page.locator('#banner').textContent(), /Another tab/);
    await page.waitForFunction(async () => JSON.stringify(await window.playground.saved()).includes('from the other tab'));
    await page.evaluate(() => {
      const view = window.playground.editor;
      view.dispatch({ changes: { from: 0, insert: '# mine\n' } });
    });
    await page.waitForTimeout(300);
    assert.match(await savedText(page), /from the other tab/, 'not overwritten');
    await page.getByRole('button', { name: /Keep mine/ }).click();
    await page.waitForFunction(async () => JSON.stringify(await window.playground.saved()).includes('# mine'));
    await other.close();
    // Leave this tab on the plain preset for the next tests.
    page.once('dialog', (d) => d.accept());
    await page.locator('#reset').click();
    await waitForOutput(page, '/apps/production', 'replicas: 5');
  });

  it('says so when the browser refuses to save', async () => {
    await page.locator(`button.file[data-path="${PATCH}"]`).click();
    await page.evaluate(() => {
      window.realPut = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = () => { throw new DOMException('quota', 'QuotaExceededError'); };
    });
    await typeOver(page, 'replicas: 5', 'replicas: 8');
    await waitForText(page, '#status', /Saving failed/);
    assert.ok(await page.locator('#status.error').count(), 'shown as an error');
    assert.match(await page.locator('#banner').textContent(), /refused to store/, 'told at once, with the way out');
    await page.locator('#banner').getByRole('button', { name: 'Download .zip' }).waitFor();
    await page.evaluate(() => { IDBObjectStore.prototype.put = window.realPut; });
    await typeOver(page, 'replicas: 8', 'replicas: 5');
    await waitForText(page, '#status', /rendered in [\d.]+ ms\.$/);
  });

  it('downloads the tree as a .zip and uploads it back', async () => {
    const before = await page.evaluate(() => window.playground.state().files);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-zip').click()]);
    const zipPath = join(profile, 'tree.zip');
    await download.saveAs(zipPath);
    const bytes = readFileSync(zipPath);
    assert.equal(bytes.readUInt32LE(0), 0x04034b50, 'a zip local header');
    // Python's zipfile reads it: the format is right, not only our reader.
    const listed = execFileSync('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); z.testzip(); print("\\n".join(sorted(z.namelist())))', zipPath], { encoding: 'utf8' });
    assert.deepEqual(listed.trim().split('\n'), Object.keys(before).sort());
    await page.locator('#preset').selectOption('clusters-per-env'); // no edits: no question
    await waitForOutput(page, '/clusters/prod', 'namespace: prod');
    await page.locator('#upload-zip').setInputFiles(zipPath);
    await waitForOutput(page, '/apps/production', 'replicas: 5');
    assert.deepEqual(await page.evaluate(() => window.playground.state().files), before);
  });

  it('uploads a folder', async () => {
    page.once('dialog', (d) => d.accept());
    await page.locator('#upload-folder').setInputFiles(join(WWW, 'presets', 'app-components'));
    await waitForOutput(page, '/overlays/production', 'replicas: 4');
    const envs = await page.locator('article.env').evaluateAll((nodes) => nodes.map((n) => n.dataset.env));
    assert.deepEqual(envs, ['/overlays/dev', '/overlays/staging', '/overlays/production']);
    assert.equal(await outputText(page, '/overlays/production'), readFileSync(join(ROOT, 'tests', 'golden', 'app-components', 'overlays-production.yaml'), 'utf8'));
    page.once('dialog', (d) => d.accept()); // uploaded files count as edits
    await page.locator('#preset').selectOption('fleet-infra');
    await waitForOutput(page, '/apps/production', 'replicas: 5');
  });

  it('renders hostile names and values as text (share link with <script>, <img onerror>, javascript:)', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    const files = {
      [`apps/${evil}/kustomization.yaml`]: 'resources:\n  - cm.yaml\n',
      [`apps/${evil}/cm.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "<script>window.__pwned=2</script>"\ndata:\n  link: "javascript:window.__pwned=3"\n  img: '${evil}'\n`,
      'broken/kustomization.yaml': `resources:\n  - "<script>window.__pwned=4</script>.yaml"\n`,
    };
    const fragment = await page.evaluate(async (files) => {
      const json = JSON.stringify({ v: 1, files, current: Object.keys(files)[1], env: '"><img src=x onerror=window.__pwned=5>' });
      const stream = new Blob([new TextEncoder().encode(json)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
      const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
      return 's=' + btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    }, files);
    await loadPage(page, `${baseUrl}#${fragment}`);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no injected code ran');
    assert.equal(await page.locator('img').count(), 0, 'no <img> element was made');
    assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline <script> element was made');
    assert.equal(await page.locator('a[href^="javascript:"]').count(), 0);
    const names = await page.locator('button.file').evaluateAll((nodes) => nodes.map((n) => n.dataset.path));
    assert.ok(names.includes(`apps/${evil}/cm.yaml`), 'the name is shown as text');
    assert.match(await editorText(page), /<script>window.__pwned=2<\/script>/);
    await screenshot(page, '8-hostile');
    await page.getByRole('button', { name: 'Back to my workspace' }).click();
  });

  it('renders the inline files of the embed page and of <overlay-playground>', async () => {
    await page.goto(`${baseUrl}embed.html?preset=fleet-infra&files=apps/production/my-app-patch.yaml&env=/apps/production&theme=dark`);
    await page.locator('body[data-ready="true"]').waitFor();
    assert.match(await page.evaluate(() => window.playground.text()), /^ {2}replicas: 5$/m);
    assert.equal(await page.locator('.op-tabs button').count(), 1, 'only the chosen file has a tab');
    await page.evaluate(() => window.playground.editor.dispatch({ changes: { from: 0, to: window.playground.editor.state.doc.length, insert: window.playground.editor.state.doc.toString().replace('replicas: 5', 'replicas: 6') } }));
    assert.match(await page.evaluate(() => window.playground.text()), /^ {2}replicas: 6$/m);
    await page.locator('.op a[href*="#s="]').waitFor({ state: 'attached' });
    await screenshot(page, '9-embed-dark');

    // diff=: the embed shows what differs between two environments, live.
    await page.goto(`${baseUrl}embed.html?preset=fleet-infra&files=apps/production/my-app-patch.yaml&diff=apps/staging..apps/production`);
    await page.locator('body[data-ready="true"]').waitFor();
    const diff = await page.evaluate(() => window.playground.text());
    assert.match(diff, /1 changed, 0 added, 0 removed, 1 unchanged/);
    assert.match(diff, /spec\.replicas: 2 → 5/);
    assert.match(diff, /-  replicas: 2\n\+  replicas: 5/);
    assert.equal(await page.locator('.op .diff .d-add', { hasText: '+  replicas: 5' }).count(), 1);
    await page.evaluate(() => window.playground.editor.dispatch({ changes: { from: 0, to: window.playground.editor.state.doc.length, insert: window.playground.editor.state.doc.toString().replace('replicas: 5', 'replicas: 2') } }));
    assert.match(await page.evaluate(() => window.playground.text()), /spec\.template\.spec\.containers\[name=app\]\.resources/);
    assert.doesNotMatch(await page.evaluate(() => window.playground.text()), /spec\.replicas/);
    // Its "Open in playground" link opens the Compare tab on the same pair.
    const link = await page.locator('.op a[href*="#s="]').getAttribute('href');
    await screenshot(page, '9b-embed-diff');
    await loadPage(page, link);
    assert.equal(await page.locator('#tab-compare').getAttribute('aria-selected'), 'true');
    await waitForText(page, '#view-compare', 'spec.template.spec.containers[name=app].resources');
    await page.getByRole('button', { name: 'Back to my workspace' }).click().catch(() => { /* no saved workspace differs */ });

    await page.goto(`${baseUrl}docs-example.html`);
    const element = page.locator('overlay-playground[data-ready="true"]');
    await element.waitFor();
    const text = await element.evaluate((e) => e.playground.text());
    assert.match(text, /^ {2}namespace: production$/m);
    assert.match(text, /^ {2}replicas: 3$/m);
    assert.equal(await element.locator('.op-tabs button').count(), 3, 'the hidden base kustomization has no tab');
    const frame = page.frameLocator('iframe');
    await frame.locator('body[data-ready="true"]').waitFor();
    await screenshot(page, '10-docs-example');
    assert.equal(await element.locator('.cm-content').first().getAttribute('contenteditable'), 'false', 'the read-only file cannot be edited');
    // "Open in playground" carries the state to the full page.
    await element.locator('.op a[href*="#s="]').waitFor({ state: 'attached' });
    const href = await element.locator('.op a').getAttribute('href');
    assert.match(href, /index\.html#s=/);
    await loadPage(page, href);
    assert.deepEqual(Object.keys(await page.evaluate(() => window.playground.state().files)).sort(),
      ['base/deployment.yaml', 'base/kustomization.yaml', 'overlays/production/kustomization.yaml', 'overlays/production/replicas.yaml']);
    await waitForOutput(page, '/overlays/production', 'replicas: 3');
  });

  it('has no axe-core accessibility violations', async () => {
    const axe = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    const check = async (url, name, ready = 'body[data-ready="true"]') => {
      await page.goto(url);
      await page.locator(ready).waitFor();
      await page.evaluate(axe); // CDP evaluation: not an inline script, so the CSP allows it
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      const found = result.violations.map((v) => `${name}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
      assert.deepEqual(found, []);
    };
    await check(baseUrl, 'index light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await check(baseUrl, 'index dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await check(`${baseUrl}embed.html`, 'embed');
    await check(`${baseUrl}docs-example.html`, 'docs example with <overlay-playground>', 'overlay-playground[data-ready="true"]');
  });

  it('fits a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await loadPage(page, baseUrl);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px too wide)`);
    await page.screenshot({ path: join(SHOTS, '11-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('logged no page error, console error or failed request', () => {
    assert.deepEqual(problems, []);
  });
});
