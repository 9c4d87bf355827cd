// Editor actions not covered by page.test.mjs, in Debian's headless Chromium
// driven by playwright-core: the tidy shortcut (Shift-Alt-F), and two tabs
// in conflict resolved with "Load the other tab's version".
// Run after ./build.sh: node --test tests/browser/editor-actions.test.mjs
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertBuilt, editorText, launchBrowser, loadPage, outputText, startServer, typeOver, waitForEditor, waitForOutput,
  waitForText, watchProblems,
} from './harness.mjs';

const PATCH = 'apps/production/my-app-patch.yaml';

let server;
let closeBrowser;
let context;
let page;
let baseUrl;
const problems = []; // page errors, console errors, failed requests

// The workspace as saved in IndexedDB (with the edits whose write has not committed yet).
const saved = (p) => p.evaluate(() => window.playground.saved());

async function openPatch(p) {
  await p.locator(`button.file[data-path="${PATCH}"]`).click();
  assert.equal(await p.locator('#editor-path').textContent(), PATCH);
}

describe('Overlay Playground editor actions', () => {
  before(async () => {
    assertBuilt(['index.html', 'dist/main.js', 'pkg/overlay_bg.wasm', 'pkg/presets.js']);
    server = await startServer();
    baseUrl = server.url;
    ({ context, page, close: closeBrowser } = await launchBrowser('overlay-playground-actions-'));
    watchProblems(page, problems, { name: 'tab 1' });
  });

  after(async () => {
    await closeBrowser?.();
    await server?.stop();
  });

  it('tidies with Shift-Alt-F: tabs to spaces, no trailing blanks, a final newline; the engine re-renders', async () => {
    await loadPage(page, baseUrl);
    await openPatch(page);
    const original = await editorText(page);
    // Tab-indented (which YAML forbids), trailing blanks, no final newline.
    const messy = original.replace('  replicas: 5\n', '\treplicas: 6   \n').replace('kind: Deployment\n', 'kind: Deployment \t\n').replace(/\n$/, '');
    assert.notEqual(messy, original);
    await page.evaluate((text) => {
      const view = window.playground.editor;
      view.focus();
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    }, messy);
    await page.locator('article.env.failed[data-env="/apps/production"]').waitFor();
    assert.match(await page.locator('#problem-count').textContent(), /^[1-9]/, 'the tab is a problem');

    await page.keyboard.press('Shift+Alt+F');
    await waitForText(page, '#status', 'Tidied');
    assert.equal(await page.locator('#status').textContent(), 'Tidied: tabs, trailing blanks, final newline.');
    const tidy = original.replace('replicas: 5', 'replicas: 6');
    assert.equal(await editorText(page), tidy);
    await waitForOutput(page, '/apps/production', 'replicas: 6');
    assert.match(await outputText(page, '/apps/production'), /^ {2}replicas: 6$/m);
    assert.equal(await page.locator('article.env.failed').count(), 0, 'every environment renders again');
    assert.equal(await page.locator('#problem-count').textContent(), '0');
    assert.equal((await saved(page)).files[PATCH], tidy, 'the tidy text is saved');

    // Once more: nothing to do.
    await page.keyboard.press('Shift+Alt+F');
    await waitForText(page, '#status', 'Already tidy.');
    assert.equal(await editorText(page), tidy);

    // Back to the preset's text for the next test.
    await typeOver(page, 'replicas: 6', 'replicas: 5');
    await waitForOutput(page, '/apps/production', 'replicas: 5');
    assert.equal(await editorText(page), original);
  });

  it('offers the other tab’s version after a conflict, and loading it shows and keeps that text', async () => {
    const other = await context.newPage();
    watchProblems(other, problems, { name: 'tab 2' });
    try {
      await loadPage(other, baseUrl);
      await openPatch(other);
      await openPatch(page);
      await page.waitForTimeout(300);
      for (const p of [page, other]) assert.equal(await p.locator('#banner').isHidden(), true, 'no conflict yet');

      // Tab 1 types (a save per keystroke); tab 2 is told.
      await typeOver(page, 'replicas: 5', 'replicas: 42');
      await waitForOutput(page, '/apps/production', 'replicas: 42');
      const theirs = await editorText(page);
      await other.locator('#banner:not([hidden])').waitFor();
      assert.match(await other.locator('#banner').textContent(), /Another tab saved a different version/);
      await other.getByRole('button', { name: 'Load the other tab’s version' }).waitFor();
      await other.getByRole('button', { name: 'Keep mine (replace theirs)' }).waitFor();

      // Tab 2 edits too: not saved over tab 1's copy.
      await typeOver(other, 'cpu: 500m', 'cpu: 750m');
      await waitForOutput(other, '/apps/production', 'cpu: 750m');
      await other.waitForTimeout(300);
      assert.equal((await saved(other)).files[PATCH], theirs, 'tab 1’s copy is not overwritten');

      await other.getByRole('button', { name: 'Load the other tab’s version' }).click();
      assert.equal(await other.locator('#banner').isHidden(), true);
      assert.equal(await editorText(other), theirs, 'the editor shows the other tab’s text, all of it');
      await waitForOutput(other, '/apps/production', 'replicas: 42');
      assert.doesNotMatch(await outputText(other, '/apps/production'), /750m/);
      assert.equal((await saved(other)).files[PATCH], theirs);
      await page.waitForTimeout(300);
      assert.equal(await page.locator('#banner').isHidden(), true, 'tab 1 sees its own version come back: no conflict');

      await other.reload();
      await other.locator('body[data-ready="true"]').waitFor();
      assert.equal(await other.locator('#editor-path').textContent(), PATCH);
      assert.equal(await editorText(other), theirs, 'a reload keeps it');
      await waitForOutput(other, '/apps/production', 'replicas: 42');
      assert.equal(await other.locator('#banner').isHidden(), true);
    } finally {
      await other.close();
    }
    assert.deepEqual(problems, []);
  });
});
