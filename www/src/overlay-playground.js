// <overlay-playground>: a live playground in a documentation page, from one
// script file. Its files are inline children:
//
//   <script type="module" src="/playground/dist/overlay-playground.js"></script>
//   <overlay-playground env="apps/production" theme="auto" readonly="apps/base/deployment.yaml">
//     <script type="text/yaml" data-path="apps/base/deployment.yaml">…</script>
//     <script type="text/yaml" data-path="apps/production/kustomization.yaml">…</script>
//   </overlay-playground>
//
// Attributes: env, diff ("apps/staging..apps/production": the diff of two
// environments instead of one's output), theme (light|dark|auto), readonly
// (comma list or "all"),
// files (which get a tab), hidden-files via data-hidden on a script,
// preset (start from a preset's files, the inline ones replacing theirs).
// The element sizes itself to its content. The engine (wasm) is loaded from
// ../pkg/ next to this script.

import presets from '../pkg/presets.js';
import { mountMini } from './mini.js';
import { cleanPath } from './share.js';

/** Inline text of a <script type="text/yaml">: the common indent removed. */
function dedent(text) {
  const lines = text.replace(/^\s*\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length));
  return `${lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n')}\n`;
}

class OverlayPlayground extends HTMLElement {
  async connectedCallback() {
    if (this.started) return;
    this.started = true;
    const files = { ...(presets[this.getAttribute('preset')] ?? {}) };
    const shown = [];
    for (const s of this.querySelectorAll('script[type="text/yaml"][data-path]')) {
      const path = cleanPath(s.dataset.path);
      if (!path) continue;
      files[path] = dedent(s.textContent);
      if (!s.hasAttribute('data-hidden')) shown.push(path);
    }
    const list = (v) => (v ? v.split(',').map((p) => cleanPath(p)).filter(Boolean) : null);
    const ro = this.getAttribute('readonly');
    const host = document.createElement('div');
    this.append(host);
    try {
      this.playground = await mountMini(host, {
        files,
        shown: list(this.getAttribute('files')) ?? shown,
        readonly: ro === 'all' ? true : new Set(list(ro) ?? []),
        env: this.getAttribute('env'),
        diff: this.getAttribute('diff')?.split('..'),
        theme: this.getAttribute('theme') ?? 'auto',
        playgroundUrl: new URL('../index.html', import.meta.url).href,
      });
      this.dataset.ready = 'true';
    } catch (e) {
      console.error(e);
      host.textContent = `The playground could not start: ${e}`;
    }
  }
}

if (!customElements.get('overlay-playground')) customElements.define('overlay-playground', OverlayPlayground);
