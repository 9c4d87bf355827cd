// The Clusters view and the lint warnings, end to end in Debian's headless
// Chromium (playwright-core), on the fleet-infra preset: the Kustomizations
// of clusters/production as a graph and in reconcile order, what `apps`
// applies, lint findings in the problems list and inline, an order error,
// dark mode, a phone, axe. Run: node --test tests/browser/cluster.test.mjs
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT, SHOTS, WWW, assertBuilt, cursorLine, launchBrowser, loadPage, screenshot, startServer, waitForText, watchProblems,
} from './harness.mjs';

const APPS = 'clusters/production/apps.yaml';
const APPS_TEXT = readFileSync(join(WWW, 'presets', 'fleet-infra', APPS), 'utf8');

let server;
let closeBrowser;
let page;
let baseUrl;
const problems = []; // page errors, console errors, failed requests

const view = '#view-clusters';
const node = (name) => page.locator(`${view} g.cl-node[data-key="flux-system/${name}"]`);
const orderNames = () => page.locator(`${view} .cl-order-list .cl-pick`).allTextContents();
const yamlText = () => page.locator(`${view} .cl-yaml .cm-content`).textContent();

/** Replaces the first `from` in the open file with `to`, as an edit in the editor. */
async function edit(from, to) {
  const found = await page.evaluate(([from, to]) => {
    const view = window.playground.editor;
    const i = view.state.doc.toString().indexOf(from);
    if (i < 0) return false;
    view.dispatch({ changes: { from: i, to: i + from.length, insert: to } });
    return true;
  }, [from, to]);
  assert.ok(found, `the editor should contain ${JSON.stringify(from)}`);
}

describe('Clusters view and lint warnings', () => {
  before(async () => {
    assertBuilt(['index.html', 'dist/main.js', 'pkg/overlay_bg.wasm', 'pkg/presets.js']);
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer();
    baseUrl = server.url;
    ({ page, close: closeBrowser } = await launchBrowser());
    watchProblems(page, problems);
    await loadPage(page, baseUrl);
  });

  after(async () => {
    await closeBrowser?.();
    await server?.stop();
  });

  it('shows clusters/production: infrastructure, then apps, with the dependsOn arrow', async () => {
    await page.locator('#tab-clusters').click();
    await node('apps').waitFor();
    assert.deepEqual(
      await page.locator(`${view} #cl-cluster option`).evaluateAll((os) => os.map((o) => o.value)),
      ['/clusters/production', '/clusters/staging']);
    assert.equal(await page.locator(`${view} #cl-cluster`).inputValue(), '/clusters/production');
    assert.equal(await node('infrastructure').count(), 1);
    assert.match(await node('apps').textContent(), /apps.*\.\/apps\/production.*rendered · 2 obj · prune · wait/s);
    assert.equal(await page.locator(`${view} path.cl-edge.dependsOn`).count(), 1, 'one dependsOn arrow');
    assert.match(await page.locator(`${view} path.cl-edge.dependsOn title`).textContent(), /flux-system\/apps depends on flux-system\/infrastructure/);
    // infrastructure is left of apps: one rank further.
    const xs = await Promise.all(['infrastructure', 'apps'].map((n) => node(n).evaluate((g) => g.getBoundingClientRect().x)));
    assert.ok(xs[0] < xs[1], `infrastructure (${xs[0]}) is drawn before apps (${xs[1]})`);
    assert.deepEqual(await orderNames(), ['infrastructure', 'apps']);
    assert.match(await page.locator(`${view} .cl-order-list li`).nth(1).textContent(), /after flux-system\/infrastructure/);
    const label = await page.locator(`${view} svg.cl-svg`).getAttribute('aria-label');
    assert.match(label, /reconciled infrastructure, then apps/);
    assert.equal(await page.locator(`${view} svg.cl-svg`).getAttribute('role'), 'img');
    // How long flux() takes: the view times each build; switch clusters a few times.
    const timing = async () => Number((await page.locator(`${view} .cl-timing`).textContent()).match(/([\d.]+) ms/)[1]);
    const ms = [await timing()];
    for (const dir of ['/clusters/staging', '/clusters/production', '/clusters/staging', '/clusters/production']) {
      await page.locator(`${view} #cl-cluster`).selectOption(dir);
      await waitForText(page, `${view} .cl-summary`, dir.slice(1));
      ms.push(await timing());
    }
    console.log(`flux() per build, first then staging/production alternately: ${ms.join(', ')} ms`);
  });

  it('shows what apps applies: its objects in apply order, its YAML with the owner labels', async () => {
    await node('apps').click();
    await waitForText(page, `${view} .cl-details h3`, 'flux-system/apps');
    assert.equal(await page.locator(`${view} .cl-pick[aria-pressed="true"]`).textContent(), 'apps');
    const objects = await page.locator(`${view} .cl-objects li`).allTextContents();
    assert.deepEqual(objects.map((o) => o.replace(/ \S+$/, '')), ['Service production/my-app', 'Deployment production/my-app']);
    const yaml = await yamlText();
    assert.match(yaml, /replicas: 5/);
    assert.match(yaml, /kustomize\.toolkit\.fluxcd\.io\/name: apps/);
    assert.match(yaml, /namespace: production/);
    assert.match(await page.locator(`${view} .cl-checks`).textContent(), /Deployment production\/my-app/);
    await screenshot(page, '14-clusters');
    // The declaration link opens the file.
    await page.locator(`${view} .cl-decl .error-link`).click();
    assert.equal(await page.locator('#editor-path').textContent(), APPS);
    // infrastructure's objects come in stages: the Namespaces first.
    await node('infrastructure').click();
    await waitForText(page, `${view} .cl-details h3`, 'flux-system/infrastructure');
    const stages = await page.locator(`${view} .cl-stage`).allTextContents();
    assert.equal(stages.length, 2);
    assert.match(stages[0], /^Definitions/);
    assert.match(stages[1], /^Everything else/);
    assert.match(await page.locator(`${view} .cl-objects`).first().textContent(), /Namespace cert-manager/);
    await node('apps').click();
  });

  it('lists lint findings as warnings, after the render, and jumps to them', async () => {
    // The preset itself has findings (namespaces nothing creates, wait with healthChecks).
    await page.locator('#lint-count:not([hidden])').waitFor();
    const lintMs = Number(await page.locator('#lint-count').getAttribute('data-ms'));
    console.log(`lint() on fleet-infra: ${lintMs} ms`);
    assert.equal(await page.locator('#problem-count').textContent(), '0', 'warnings are not errors');
    assert.equal(await page.locator('#problems button.problem:not(.lint)').count(), 0);
    const before = Number(await page.locator('#lint-count').textContent());
    assert.ok(before >= 1);

    await page.locator(`button.file[data-path="${APPS}"]`).click();
    await edit('  dependsOn:\n  - name: infrastructure\n', '');
    const finding = page.locator('#problems button.problem.lint', { hasText: 'depends-on' });
    await finding.waitFor();
    assert.match(await finding.textContent(), /^clusters\/production\/apps\.yaml:6:1 warning \[depends-on\] Kustomization flux-system\/apps does not depend on infrastructure.*Fix: add `dependsOn/);
    assert.equal(await page.locator('#problem-count').textContent(), '0');
    // Inline too: a warning on line 6 of the open file.
    await page.locator('#editor .cm-lintRange-warning').first().waitFor();
    assert.equal(await page.locator('#editor .cm-lint-marker-error').count(), 0);
    assert.equal(await page.locator(`button.file[data-path="${APPS}"] .file-warning`).count(), 1, 'the tree marks the file');
    // The graph follows: no arrow, apps no longer waits.
    await page.locator(`${view} path.cl-edge.dependsOn`).waitFor({ state: 'detached' });
    assert.match(await page.locator(`${view} .cl-order-list li`, { hasText: 'apps' }).textContent(), /waits for nothing/);
    await screenshot(page, '15-lint-warning');

    await page.locator('button.file[data-path="apps/production/kustomization.yaml"]').click();
    await finding.click();
    assert.equal(await page.locator('#editor-path').textContent(), APPS, 'the finding opens its file');
    assert.equal(await cursorLine(page), 6);

    await edit('prune: true', 'prune: false');
    const prune = page.locator('#problems button.problem.lint', { hasText: '[prune]' });
    await prune.waitFor();
    assert.match(await prune.textContent(), /clusters\/production\/apps\.yaml:12:\d+ .*prune: false/);
    await waitForText(page, `${view} g.cl-node[data-key="flux-system/apps"]`, 'no prune');

    // Typing with the Clusters view on screen: the keystroke renders the
    // environments only; the cluster and the lint follow once typing pauses.
    const keysFrom = await page.evaluate(() => window.playground.timings.length);
    await page.evaluate(() => {
      const v = window.playground.editor;
      v.focus();
      v.dispatch({ selection: { anchor: v.state.doc.length } });
    });
    await page.keyboard.type('# typing', { delay: 30 });
    const updates = await page.evaluate((n) => window.playground.timings.slice(n).map((t) => t.update), keysFrom);
    const sorted = [...updates].sort((a, b) => a - b);
    console.log(`keystroke update with the Clusters view shown: median ${sorted[sorted.length >> 1].toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms (${updates.length} keys)`);
    await page.locator('#problems:not(.linting)').waitFor({ state: 'attached' });
    console.log(`lint() after typing: ${await page.locator('#lint-count').getAttribute('data-ms')} ms`);
    await edit('# typing', '');
  });

  it('says plainly when dependsOn names no Kustomization', async () => {
    await edit('  sourceRef:', '  dependsOn:\n  - name: nothere\n  sourceRef:');
    await waitForText(page, `${view} .cl-order-error`, /No reconcile order: clusters\/production\/apps\.yaml:\d+:\d+ dependency 'flux-system\/nothere' not found/);
    assert.match(await page.locator(`${view} .cl-order h3`).textContent(), /declaration order/);
    await page.locator('#problems button.problem.lint', { hasText: 'nothere' }).waitFor();
    await screenshot(page, '16-order-error');
    await page.locator(`${view} .cl-order-error .error-link`).click();
    assert.equal(await page.locator('#editor-path').textContent(), APPS);
    // A cycle: infrastructure waits for apps, which waits for infrastructure.
    await edit('  - name: nothere\n', '  - name: infrastructure\n');
    await page.locator('button.file[data-path="clusters/production/infrastructure.yaml"]').click();
    await edit('  sourceRef:', '  dependsOn:\n  - name: apps\n  sourceRef:');
    await waitForText(page, `${view} .cl-order-error`, /circular dependency detected: flux-system\/apps -> flux-system\/infrastructure -> flux-system\/apps/);
    assert.equal(await page.locator(`${view} path.cl-edge.dependsOn`).count(), 2, 'both arrows of the cycle');
    assert.match(await page.locator(`${view} svg.cl-svg`).getAttribute('aria-label'), /no reconcile order/);
    await screenshot(page, '16b-cycle');
    await page.evaluate((text) => {
      const v = window.playground.editor;
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
    }, readFileSync(join(WWW, 'presets', 'fleet-infra', 'clusters/production/infrastructure.yaml'), 'utf8'));
    await page.locator(`button.file[data-path="${APPS}"]`).click();
    // Back to the preset's text: the finding and the error go away.
    await page.evaluate((text) => {
      const v = window.playground.editor;
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
    }, APPS_TEXT);
    await page.waitForFunction(() => document.querySelectorAll('#view-clusters path.cl-edge.dependsOn').length === 1
      && document.querySelector('#view-clusters .cl-order-error').textContent === '', null, { polling: 50 });
    await page.waitForFunction(() => ![...document.querySelectorAll('#problems button.problem.lint')]
      .some((b) => b.textContent.includes('depends-on')), null, { polling: 50 });
  });

  it('switches to clusters/staging and keeps the choice across a reload', async () => {
    await page.locator(`${view} #cl-cluster`).selectOption('/clusters/staging');
    await waitForText(page, `${view} .cl-summary`, 'clusters/staging');
    await node('apps').click();
    await page.locator(`${view} .cl-yaml .cm-content`, { hasText: 'replicas: 2' }).waitFor(); // in a shadow root
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
    await node('apps').waitFor();
    assert.equal(await page.locator(`${view} #cl-cluster`).inputValue(), '/clusters/staging');
    assert.equal(await page.locator(`${view} .cl-pick[aria-pressed="true"]`).textContent(), 'apps');
    assert.match(await yamlText(), /namespace: staging/);
    await page.locator('#lint-count:not([hidden])').waitFor();
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, '17-clusters-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('shows the other presets: one flux-system cluster, or none', async () => {
    await page.locator('#preset').selectOption('clusters-per-env'); // no edits: no question asked
    await page.locator('#tab-clusters').click(); // a preset opens on the Environments tab
    await waitForText(page, `${view} .cl-summary`, '3 Kustomizations in flux-system');
    assert.deepEqual(await orderNames(), ['dev', 'prod', 'staging']);
    assert.equal(await page.locator(`${view} path.cl-edge`).count(), 0, 'nothing depends on anything');
    // The full copy per environment is what the lint is there to point out.
    await page.locator('#problems button.problem.lint', { hasText: 'duplicated-manifests' }).first().waitFor();
    assert.equal(await page.locator('#problem-count').textContent(), '0');
    assert.ok(Number(await page.locator('#lint-count').textContent()) >= 4);
    await page.locator('#preset').selectOption('app-components');
    await page.locator('#tab-clusters').click();
    await waitForText(page, view, 'No Flux cluster in this tree');
    await page.waitForFunction(() => document.querySelector('#lint-count').hidden, null, { polling: 50 });
    assert.match(await page.locator('#problems').textContent(), /No problems/);
    await page.locator('#preset').selectOption('fleet-infra');
    await page.locator('#tab-clusters').click();
    await node('apps').waitFor();
  });

  it('has no axe-core accessibility violations in the Clusters view', async () => {
    const axe = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.reload();
      await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
      await node('apps').waitFor();
      await page.locator('#lint-count:not([hidden])').waitFor();
      await page.evaluate(axe); // CDP evaluation: not an inline script, so the CSP allows it
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      const found = result.violations.map((v) => `${scheme}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
      assert.deepEqual(found, []);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('fits a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
    await node('apps').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px too wide)`);
    // Too narrow for ranks side by side: they go top to bottom.
    const ys = await Promise.all(['infrastructure', 'apps'].map((n) => node(n).evaluate((g) => g.getBoundingClientRect().y)));
    assert.ok(ys[0] + 40 < ys[1], `infrastructure (${ys[0]}) is drawn above apps (${ys[1]})`);
    await page.locator(`${view} .cl-head`).scrollIntoViewIfNeeded();
    await page.evaluate(() => document.querySelector('#view-clusters').scrollIntoView());
    await screenshot(page, '18-clusters-phone');
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('logged no page error, console error or failed request', () => {
    assert.deepEqual(problems, []);
  });
});
