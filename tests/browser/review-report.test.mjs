// The HTML report of `overlay review`, opened in Debian's headless Chromium
// (playwright-core) straight from the file, with JavaScript disabled: its
// strict Content-Security-Policy refuses nothing the report needs (no
// console error), it asks for nothing over the network, every environment
// and cluster of fleet-infra is there, and the side-by-side / unified switch
// works without a script. Runs the CLI binary the last cargo build made
// (release or debug; OVERLAY_BIN overrides).
// Run: cargo build --bin overlay && node --test tests/browser/review-report.test.mjs
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, ROOT, WWW } from './harness.mjs';

/** The overlay binary: $OVERLAY_BIN, else the newest of the cargo builds. */
function overlayBinary() {
  if (process.env.OVERLAY_BIN) return process.env.OVERLAY_BIN;
  const targets = [process.env.CARGO_TARGET_DIR, join(ROOT, 'target')].filter(Boolean);
  const found = targets
    .flatMap((t) => ['release', 'debug'].map((p) => join(t, p, 'overlay')))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  assert.ok(found.length > 0, 'no overlay binary: run cargo build --bin overlay first');
  return found[0];
}

const ENVIRONMENTS = ['apps/staging', 'apps/production', 'infrastructure/staging', 'infrastructure/production'];
const CLUSTERS = ['clusters/staging', 'clusters/production'];

let dir;
let report;
let browser;

describe('overlay review --format html', () => {
  before(() => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
    dir = mkdtempSync(join(tmpdir(), 'overlay-review-'));
    const preset = join(WWW, 'presets', 'fleet-infra');
    cpSync(preset, join(dir, 'old'), { recursive: true });
    cpSync(preset, join(dir, 'new'), { recursive: true });
    const deployment = join(dir, 'new', 'apps', 'base', 'my-app', 'deployment.yaml');
    const text = readFileSync(deployment, 'utf8');
    assert.ok(text.includes('my-app:1.0.0'), 'the preset pins my-app 1.0.0');
    // A tag and something to escape, in a value that reaches the report.
    writeFileSync(deployment, text.replace('my-app:1.0.0', 'my-app:1.1.0').replace('name: my-app\n', 'name: my-app\n  annotations:\n    note: "<script>alert(1)</script> & \'x\'"\n'));
    report = join(dir, 'report.html');
    const run = spawnSync(overlayBinary(), ['review', 'old', 'new', '--format', 'html', '--output', report], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 1, `exit 1 when something changed (stderr: ${run.stderr})`);
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('escapes what the repository says', () => {
    const html = readFileSync(report, 'utf8');
    assert.ok(!html.includes('<script'), 'no script element, not even from the repository');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp;'), 'the annotation shows as text');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*';/);
  });

  for (const javaScriptEnabled of [false, true]) {
    it(`opens with JavaScript ${javaScriptEnabled ? 'enabled' : 'disabled'}: no error, no request, every environment`, async () => {
      browser ??= await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
      const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const problems = [];
      const url = pathToFileURL(report).href;
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('request', (r) => { if (r.url() !== url) problems.push(`request: ${r.url()}`); });
      await page.goto(url);
      assert.equal(await page.title(), 'Overlay review: old → new');
      for (const path of [...ENVIRONMENTS, ...CLUSTERS]) {
        const kind = path.startsWith('clusters/') ? 'cluster' : 'environment';
        const anchor = `${kind}-${path.replace(/\//g, '-')}`;
        assert.equal(await page.locator(`nav a[href="#${anchor}"]`).count(), 1, `${path} is in the navigation`);
        assert.equal(await page.locator(`[id="${anchor}"]`).count(), 1, `${path} has its section`);
      }
      // The base image reaches both app environments and both clusters; the infrastructure does not.
      for (const path of ['apps/staging', 'apps/production']) {
        const section = page.locator(`[id="environment-${path.replace('/', '-')}"]`);
        assert.match(await section.locator('h2').textContent(), /changed/);
        assert.equal(await section.locator('.split ins', { hasText: '1' }).count() > 0, true, 'the changed word is highlighted');
      }
      assert.match(await page.locator('[id="environment-infrastructure-staging"]').textContent(), /unchanged/);
      // The CSS-only switch between the two views.
      const split = page.locator('[id="environment-apps-staging"] .split').first();
      const unified = page.locator('[id="environment-apps-staging"] .unified').first();
      assert.ok(await split.isVisible(), 'side by side first');
      assert.ok(!(await unified.isVisible()));
      await page.locator('label[for="view-unified"]').click();
      assert.ok(await unified.isVisible(), 'unified after the switch');
      assert.ok(!(await split.isVisible()));
      assert.match(await unified.textContent(), /ghcr\.io\/my-org\/my-app:1\.1\.0/);
      assert.equal((await page.locator('text=alert(1)').count()) > 0, true, 'the annotation is shown as text');
      await context.close();
      assert.deepEqual(problems, []);
    });
  }
});
