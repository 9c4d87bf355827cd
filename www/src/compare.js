// The Compare view: any two environments side by side, as the engine's
// semantic diff (per resource, per field), as one unified diff of the two
// renders, or as the two renders in two columns. Recomputed after every
// render while on screen, unless neither render nor option changed.
//
// Settings (ctx.settings('compare'), saved and shared): from, to (paths),
// across (match across namespaces, default true), ignore (rules text),
// mode ('semantic' | 'unified' | 'split').

import { el, displayPath } from './dom.js';
import { createViewer, setText } from './cm.js';
import { engineReply } from './views.js';
import {
  diffBlock, semanticList, summaryText, errorList, renderFailures,
  envPair, field, checkbox, segmented,
} from './diffview.js';

const MODES = [['semantic', 'Semantic'], ['unified', 'Unified'], ['split', 'Side by side']];

/** Ignore rules from the text field: comma or newline separated, blanks dropped. */
export function ignoreRules(text) {
  return String(text ?? '').split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
}

export class CompareView {
  constructor(node, ctx) {
    this.node = node;
    this.ctx = ctx;
    this.key = null;
    this.built = false;
    this.token = 0;
  }

  get settings() { return this.ctx.settings('compare'); }

  build() {
    const s = this.settings;
    this.pair = envPair((patch) => this.set(patch));
    this.across = checkbox('Match across namespaces', s.across !== false, (on) => this.set({ across: on }),
      'Pair resources that differ only in their namespace (staging/my-app with production/my-app)');
    this.ignore = el('input', {
      type: 'text', className: 'ignore', value: typeof s.ignore === 'string' ? s.ignore : '',
      placeholder: 'spec.replicas, /metadata/labels', spellcheck: false,
      oninput: () => this.set({ ignore: this.ignore.value }),
    });
    this.modes = segmented('Diff view', MODES, this.mode(), (mode) => this.set({ mode }));
    this.summary = el('p', { className: 'cmp-summary', role: 'status' });
    this.body = el('div', { className: 'cmp-body' });
    // The side-by-side viewers are made once, on first use, and kept.
    this.split = null;
    this.node.replaceChildren(
      el('div', { className: 'view-controls' },
        this.pair.node,
        el('div', { className: 'options' }, this.across,
          field('Ignore', this.ignore, 'field grow'))),
      el('div', { className: 'cmp-bar' }, this.summary, this.modes),
      this.body);
    this.built = true;
  }

  mode() {
    const m = this.settings.mode;
    return MODES.some(([v]) => v === m) ? m : 'semantic';
  }

  /** Changes settings, saves them, and recomputes. */
  set(changes) {
    Object.assign(this.settings, changes);
    this.ctx.save();
    this.update();
  }

  async update() {
    if (!this.built) this.build();
    const results = this.ctx.results();
    if (results.length < 2) {
      this.key = null;
      this.token++;
      this.summary.textContent = '';
      this.body.replaceChildren(el('p', { className: 'empty' }, 'Comparing needs two environments: add another kustomization.yaml.'));
      return;
    }
    const s = this.settings;
    // Settings may have been replaced under us (a share link, another preset).
    this.across.querySelector('input').checked = s.across !== false;
    if (document.activeElement !== this.ignore) this.ignore.value = typeof s.ignore === 'string' ? s.ignore : '';
    const [from, to] = this.pair.fill(results, s);
    const mode = this.mode();
    this.modes.set(mode);
    const options = { strictNamespaces: s.across === false, ignore: ignoreRules(s.ignore) };
    const a = results.find((r) => r.path === from);
    const b = results.find((r) => r.path === to);
    const key = JSON.stringify([from, to, mode, options, a.ok ? a.output : a.errors, b.ok ? b.output : b.errors]);
    if (key === this.key) return;
    this.key = key;
    const token = ++this.token;

    const failures = renderFailures(results, [from, to], this.ctx.openFile);
    if (failures) {
      this.summary.textContent = 'Cannot compare: an environment does not render.';
      this.body.replaceChildren(failures);
      return;
    }
    const diff = await engineReply(() => this.ctx.engine().fg.call('diff', from, to, options));
    // A newer update (an edit, another option) is under way: its reply counts.
    if (token !== this.token) return;
    if (!diff.ok) {
      this.summary.textContent = 'Cannot compare:';
      this.body.replaceChildren(errorList(diff.errors, this.ctx.openFile));
      return;
    }
    this.summary.textContent = summaryText(diff, displayPath(from), displayPath(to));
    if (mode === 'semantic') this.body.replaceChildren(semanticList(diff, { withUnified: true }));
    else if (mode === 'unified') this.body.replaceChildren(diff.equal ? el('p', { className: 'empty' }, 'No differences.') : diffBlock(diff.unified, { className: 'full' }));
    else this.showSplit(a, b);
  }

  showSplit(a, b) {
    if (!this.split) {
      const column = () => {
        const title = el('h3', { className: 'split-title' });
        const holder = el('div', { className: 'split-output' });
        return { title, holder, node: el('div', { className: 'split-col' }, title, holder), view: null };
      };
      this.split = { left: column(), right: column() };
      this.split.node = el('div', { className: 'split' }, this.split.left.node, this.split.right.node);
    }
    for (const [col, r] of [[this.split.left, a], [this.split.right, b]]) {
      const name = displayPath(r.path);
      col.title.textContent = name;
      if (!col.view) col.view = createViewer(col.holder, { text: r.output, label: `Rendered YAML of ${name}` });
      else setText(col.view, r.output);
      col.view.contentDOM.setAttribute('aria-label', `Rendered YAML of ${name}`);
    }
    if (this.body.firstChild !== this.split.node || this.body.childNodes.length !== 1) this.body.replaceChildren(this.split.node);
  }
}
