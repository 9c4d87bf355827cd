// The Compare and Promote views, end to end, in Debian's headless Chromium
// driven by playwright-core (the harness of page.test.mjs): compare
// apps/staging with apps/production live, promote an image bump, apply it,
// reload, revert; a files promotion in the clusters-per-env preset; dark
// theme, phone width and axe. Run: node --test tests/browser/promote.test.mjs
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT, SHOTS, assertBuilt, editorText, launchBrowser, loadPage, outputText, screenshot, startServer,
  typeOver, waitForOutput, waitForText, watchProblems,
} from './harness.mjs';

const PATCH = 'apps/production/my-app-patch.yaml';
const STAGING = 'apps/staging/kustomization.yaml';
const PRODUCTION = 'apps/production/kustomization.yaml';
const BUMP = 'images:\n- name: ghcr.io/my-org/my-app\n  newTag: 1.1.0\n';

let server;
let closeBrowser;
let page;
let baseUrl;
const problems = []; // page errors, console errors, failed requests

const compare = '#view-compare';
const promote = '#view-promote';
const texts = (selector) => page.locator(selector).evaluateAll((nodes) => nodes.map((n) => n.textContent));
const fileText = (path) => page.evaluate((p) => window.playground.state().files[p], path);

async function showView(name) {
  await page.locator(`#tab-${name}`).click();
  await page.locator(`#view-${name}:not([hidden])`).waitFor();
}

/** Opens `path` in the editor and inserts `text` at its end, as typing would. */
async function appendToFile(path, text) {
  await page.locator(`button.file[data-path="${path}"]`).click();
  await page.evaluate(() => {
    const view = window.playground.editor;
    view.focus();
    view.dispatch({ selection: { anchor: view.state.doc.length } });
  });
  await page.keyboard.insertText(text);
}

async function axeCheck(name) {
  const axe = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await page.evaluate(axe); // CDP evaluation: not an inline script, so the CSP allows it
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const found = result.violations.map((v) => `${name}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
  assert.deepEqual(found, []);
}

describe('Compare and Promote views', () => {
  before(async () => {
    assertBuilt(['index.html', 'embed.html', 'dist/main.js', 'dist/embed.js', 'dist/overlay-playground.js', 'pkg/overlay_bg.wasm', 'pkg/presets.js']);
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer();
    baseUrl = server.url;
    ({ page, close: closeBrowser } = await launchBrowser());
    watchProblems(page, problems, { location: true });
  });

  after(async () => {
    await closeBrowser?.();
    await server?.stop();
  });

  it('compares apps/staging with apps/production: semantic, unified, side by side', async () => {
    await loadPage(page, baseUrl);
    await showView('compare');
    assert.equal(await page.locator(`${compare} select`).nth(0).inputValue(), '/apps/staging');
    assert.equal(await page.locator(`${compare} select`).nth(1).inputValue(), '/apps/production');
    await waitForText(page, `${compare} .cmp-summary`, /1 changed, 0 added, 0 removed, 1 unchanged/);
    const titles = await texts(`${compare} .resource .res-title`);
    assert.deepEqual(titles, ['Deployment/my-app (staging → production)'], 'the Service differs only in its namespace: not listed');
    const changes = await texts(`${compare} .resource .change`);
    assert.ok(changes.includes('spec.replicas: 2 → 5'), changes.join('\n'));
    assert.ok(changes.some((c) => /^spec\.template\.spec\.containers\[name=app\]\.resources\./.test(c)), changes.join('\n'));
    assert.ok(!changes.some((c) => /namespace/.test(c)), 'no namespace-only change');
    await screenshot(page, '12-compare');

    await page.locator(`${compare} .segmented button[data-value="unified"]`).click();
    await waitForText(page, `${compare} pre.diff`, '+  replicas: 5');
    const lines = await texts(`${compare} pre.diff span`);
    assert.ok(lines.includes('-  replicas: 2\n') && lines.includes('+  replicas: 5\n'), lines.join(''));
    assert.equal(await page.locator(`${compare} pre.diff span.d-add`, { hasText: '+  replicas: 5' }).count(), 1, 'coloured as an addition');
    await screenshot(page, '12-compare-unified');

    await page.locator(`${compare} .segmented button[data-value="split"]`).click();
    await page.locator(`${compare} .split-title`).nth(1).waitFor(); // the view updates once the engine's thread answers
    assert.deepEqual(await texts(`${compare} .split-title`), ['apps/staging', 'apps/production']);
    await page.locator(`${compare} .split-output .cm-content`).nth(1).waitFor();
    assert.match(await page.locator(`${compare} .split-output .cm-content`).nth(1).textContent(), /replicas: 5/);
    await screenshot(page, '12-compare-split');

    // Ignore rules and strict namespaces reach the engine; a bad rule is reported.
    await page.locator(`${compare} .segmented button[data-value="semantic"]`).click();
    await page.locator(`${compare} input.ignore`).fill('spec.replicas');
    await waitForText(page, `${compare} .resources`, /resources/);
    assert.ok(!(await texts(`${compare} .resource .change`)).some((c) => c.startsWith('spec.replicas')));
    await page.locator(`${compare} input.ignore`).fill('spec[');
    await waitForText(page, `${compare} .errors`, /ignore 'spec\['/);
    await page.locator(`${compare} input.ignore`).fill('');
    await page.locator(`${compare} .check input`).uncheck();
    await waitForText(page, `${compare} .cmp-summary`, /0 changed, 2 added, 2 removed/);
    await page.locator(`${compare} .check input`).check();
    await waitForText(page, `${compare} .cmp-summary`, /1 changed/);
  });

  it('follows edits live: replicas 5 → 7 in the production patch', async () => {
    await page.locator(`button.file[data-path="${PATCH}"]`).click();
    await typeOver(page, 'replicas: 5', 'replicas: 7');
    await waitForText(page, `${compare} .resources`, 'spec.replicas: 2 → 7');
    // A broken environment: its errors, with links to the place.
    await typeOver(page, 'replicas: 7', 'replicas: 7: 8');
    await waitForText(page, `${compare} .failures`, /apps\/production\/my-app-patch\.yaml:6:\d+/);
    await page.evaluate(() => window.playground.editor.dispatch({ selection: { anchor: 0 } }));
    await page.locator(`${compare} .failures .error-link`).first().click();
    assert.equal(await page.locator('#editor-path').textContent(), PATCH);
    await typeOver(page, 'replicas: 7: 8', 'replicas: 5');
    await waitForText(page, `${compare} .resources`, 'spec.replicas: 2 → 5');
  });

  it('previews an image promotion staging → production: the patch and a rendered diff of the image only', async () => {
    await appendToFile(STAGING, BUMP);
    assert.ok((await fileText(STAGING)).endsWith(`path: my-app-patch.yaml\n${BUMP}`), await fileText(STAGING));
    await waitForOutput(page, '/apps/staging', 'image: ghcr.io/my-org/my-app:1.1.0');
    await showView('promote');
    assert.equal(await page.locator(`${promote} select`).nth(0).inputValue(), '/apps/staging');
    assert.equal(await page.locator(`${promote} select`).nth(1).inputValue(), '/apps/production');
    assert.equal(await page.locator(`${promote} .segmented button[aria-pressed="true"]`).textContent(), 'Images');
    await waitForText(page, `${promote} pre.patch`, '+  newTag: 1.1.0');
    const patch = await page.locator(`${promote} pre.patch`).textContent();
    assert.equal(patch, `diff --git a/${PRODUCTION} b/${PRODUCTION}
--- a/${PRODUCTION}
+++ b/${PRODUCTION}
@@ -5,3 +5,6 @@
 - ../base/my-app
 patches:
 - path: my-app-patch.yaml
+images:
+- name: ghcr.io/my-org/my-app
+  newTag: 1.1.0
`);
    const rendered = await texts(`${promote} .rendered .resource .change`);
    assert.deepEqual(rendered, ['spec.template.spec.containers[name=app].image: ghcr.io/my-org/my-app:1.0.0 → ghcr.io/my-org/my-app:1.1.0']);
    assert.match(await page.locator(`${promote} .notice`).textContent(), /Promote images from apps\/staging to apps\/production/);
    await page.locator(`${promote} details.file-after summary`).click();
    assert.match(await page.locator(`${promote} details.file-after pre`).textContent(), /newTag: 1\.1\.0/);
    assert.equal(await page.locator(`${promote} .history-entry`).count(), 0);
    await screenshot(page, '13-promote');
    // The preview follows edits too.
    await page.locator(`button.file[data-path="${STAGING}"]`).click();
    await typeOver(page, 'newTag: 1.1.0', 'newTag: 1.2.0');
    await waitForText(page, `${promote} pre.patch`, '+  newTag: 1.2.0');
    await typeOver(page, 'newTag: 1.2.0', 'newTag: 1.1.0');
    await waitForText(page, `${promote} pre.patch`, '+  newTag: 1.1.0');
  });

  it('applies it: the file, the render and the compare view change; the history has the entry', async () => {
    await page.locator(`${promote} button.apply`).click();
    await waitForText(page, '#status', /Applied: Promote images from apps\/staging to apps\/production/);
    assert.match(await fileText(PRODUCTION), /newTag: 1\.1\.0/);
    await waitForOutput(page, '/apps/production', 'image: ghcr.io/my-org/my-app:1.1.0');
    assert.equal(await page.locator(`${promote} .history-entry`).count(), 1);
    assert.match(await page.locator(`${promote} .history-entry`).textContent(), /Promote images from apps\/staging to apps\/production/);
    // Promoting again: nothing to promote, and Apply is off.
    await waitForText(page, `${promote} .notice.noop`, /nothing to promote/i);
    assert.equal(await page.locator(`${promote} button.apply`).isDisabled(), true);
    assert.equal(await page.locator(`${promote} .preview pre.patch`).count(), 0);
    await screenshot(page, '14-promote-applied');
    await showView('compare');
    await waitForText(page, `${compare} .cmp-summary`, /1 changed/);
    assert.ok(!(await texts(`${compare} .resource .change`)).some((c) => c.includes('image')), 'no image difference left');
    await showView('promote');
  });

  it('keeps the history across a reload, and reverts', async () => {
    await loadPage(page, baseUrl);
    await page.locator(`${promote}:not([hidden])`).waitFor();
    assert.equal(await page.locator(`${promote} .history-entry`).count(), 1, 'the history is persisted');
    await page.locator(`${promote} details.file-after`).count(); // the preview is there
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`${promote} .history-entry button`, { hasText: 'Download .patch' }).click()]);
    assert.match(download.suggestedFilename(), /^promote-images-from-apps-staging-to-apps-production\.patch$/);
    await page.locator(`${promote} .history-entry button`, { hasText: 'Revert' }).click();
    await waitForText(page, '#status', /Reverted/);
    assert.doesNotMatch(await fileText(PRODUCTION), /newTag/);
    await waitForOutput(page, '/apps/production', 'image: ghcr.io/my-org/my-app:1.0.0');
    assert.equal(await page.locator(`${promote} .history-entry`).count(), 2);
    assert.match(await page.locator(`${promote} .history-entry`).first().textContent(), /^Revert "Promote images/);
    await waitForText(page, `${promote} pre.patch`, '+  newTag: 1.1.0'); // pending again
    // Reverting the first entry again: the file was changed since (by the revert).
    await page.locator(`${promote} .history-entry`).nth(1).locator('button', { hasText: 'Revert' }).click();
    await waitForText(page, `${promote} .history-error:not([hidden])`, /apps\/production\/kustomization\.yaml/);
    assert.equal(await page.locator(`${promote} .history-entry`).count(), 2);
  });

  it('looks right in the dark theme and on a phone, with no axe violations', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, '15-promote-dark');
    await axeCheck('promote dark');
    await showView('compare');
    await screenshot(page, '16-compare-dark');
    await axeCheck('compare dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await axeCheck('compare light');
    await page.locator(`${compare} .segmented button[data-value="unified"]`).click();
    await axeCheck('compare unified');
    await page.locator(`${compare} .segmented button[data-value="split"]`).click();
    await axeCheck('compare side by side');
    await page.locator(`${compare} .segmented button[data-value="semantic"]`).click();
    await showView('promote');
    await page.locator(`${promote} details`).first().click();
    await axeCheck('promote light');

    await page.setViewportSize({ width: 390, height: 844 });
    for (const name of ['promote', 'compare']) {
      await showView(name);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name}: no horizontal scrolling (${overflow}px too wide)`);
    }
    await page.locator('#view-compare').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, '17-phone-compare.png'), fullPage: true });
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('promotes a file in the clusters-per-env preset, staging → prod, with the prune list', async () => {
    page.once('dialog', (d) => d.accept()); // the fleet-infra edits are discarded
    await page.locator('#preset').selectOption('clusters-per-env');
    await waitForOutput(page, '/clusters/prod', 'replicas: 5');
    await showView('promote');
    await page.locator(`${promote} select`).nth(0).selectOption('/clusters/staging');
    await page.locator(`${promote} select`).nth(1).selectOption('/clusters/prod');
    await page.locator(`${promote} .segmented button[data-value="files"]`).click();
    assert.deepEqual(await texts(`${promote} .file-choice .check`), ['apps/web.yaml']);
    await waitForText(page, promote, 'Choose the files to promote.');
    await page.locator(`${promote} .file-choice input`).check();
    await page.locator(`${promote} .view-controls > .options .check input`).check(); // show what Flux would prune
    await waitForText(page, `${promote} pre.patch`, '+  replicas: 2');
    assert.match(await page.locator(`${promote} pre.patch`).textContent(), /^diff --git a\/clusters\/prod\/apps\/web\.yaml b\/clusters\/prod\/apps\/web\.yaml$/m);
    const rendered = await texts(`${promote} .rendered .resource .change`);
    assert.ok(rendered.includes('spec.replicas: 5 → 2'), rendered.join('\n'));
    await waitForText(page, `${promote} .clusters`, /flux-system\s*Nothing pruned\./);
    await screenshot(page, '18-promote-files');
    await page.locator(`${promote} button.apply`).click();
    await waitForText(page, '#status', /Applied: Promote apps\/web\.yaml from clusters\/staging to clusters\/prod/);
    await waitForOutput(page, '/clusters/prod', 'replicas: 2');
    assert.equal(await fileText('clusters/prod/apps/web.yaml'), await fileText('clusters/staging/apps/web.yaml'));
    await waitForText(page, `${promote} .notice.noop`, /nothing to promote/i);
    assert.equal(await page.locator(`${promote} .history-entry`).count(), 1, 'a new preset starts a new history');
  });

  it('lists what Flux would prune: a Service deleted from production', async () => {
    page.once('dialog', (d) => d.accept());
    await page.locator('#preset').selectOption('fleet-infra');
    await waitForOutput(page, '/apps/production', 'replicas: 5');
    await page.locator('button.file[data-path="apps/staging/my-app-patch.yaml"]').click();
    await page.evaluate(() => {
      const view = window.playground.editor;
      view.focus();
      view.dispatch({ selection: { anchor: 0, head: view.state.doc.length } });
    });
    // Cleared first: Chromium's insertText over a whole-document selection
    // applies an inline style, which the CSP blocks.
    await page.keyboard.press('Backspace');
    await page.keyboard.insertText('apiVersion: v1\nkind: Service\nmetadata:\n  name: my-app\n$patch: delete\n');
    await waitForOutput(page, '/apps/staging', 'kind: Deployment');
    await showView('promote');
    await page.locator(`${promote} .segmented button[data-value="files"]`).click();
    await page.locator(`${promote} .file-choice input`).check();
    await page.locator(`${promote} .view-controls > .options .check input`).check();
    await waitForText(page, `${promote} .prune-list`, 'Service/production/my-app');
    assert.deepEqual(await texts(`${promote} .prune-list li .res-status`), ['delete']);
    assert.match(await page.locator(`${promote} .clusters`).textContent(), /clusters\/production.*delete Service\/production\/my-app \(flux-system\/apps\).*clusters\/staging\s*Nothing pruned\./s);
    assert.ok((await texts(`${promote} .rendered .resource .res-status`)).includes('removed'));
    await page.locator(`${promote} .clusters`).scrollIntoViewIfNeeded();
    await screenshot(page, '19-promote-prune');
  });

  it('logged no page error, console error or failed request', () => {
    assert.deepEqual(problems, []);
  });
});
