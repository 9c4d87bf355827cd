// The Promote view: carry a change from one environment's overlay to the
// next (images, chosen files, or everything), previewed as the source patch
// (what a pull request would hold, `git apply`-able), the rendered diff of
// the target before → after, and the files as they would be; then applied
// to the workspace, kept in a history that can be reverted and exported.
// The preview follows every edit while the view is on screen.
//
// Settings (ctx.settings('promote'), saved and shared): from, to (paths),
// what ('images' | 'files' | 'all'), files (names relative to the overlay
// directories), prune (show what Flux would prune).

import { el, displayPath } from './dom.js';
import { copyButton, download } from './outputs.js';
import { engineReply } from './views.js';
import {
  diffBlock, codeBlock, semanticList, summaryText, errorList, renderFailures,
  envPair, checkbox, segmented,
} from './diffview.js';

const WHAT = [['images', 'Images'], ['files', 'Files'], ['all', 'Everything']];
const KUSTOMIZATION = /^(kustomization\.ya?ml|Kustomization)$/;

/** Names (relative to the directories) of the files both `from` and `to` hold, the kustomization left out. */
export function sharedFiles(paths, from, to) {
  const under = (dir) => {
    const prefix = `${dir.replace(/\/+$/, '')}/`;
    return new Set(paths.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)));
  };
  const a = under(from);
  const b = under(to);
  return [...a].filter((n) => b.has(n) && !KUSTOMIZATION.test(n.slice(n.lastIndexOf('/') + 1))).sort();
}

const firstLine = (text) => text.split('\n')[0];
const patchName = (message) => `${firstLine(message).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'change'}.patch`;

function downloadButton(label, name, text) {
  return el('button', {
    type: 'button', className: 'small', ariaLabel: label, title: 'Download as a .patch file for git apply',
    onclick: async () => download(name(), await text(), 'text/x-diff'),
  }, 'Download .patch');
}

export class PromoteView {
  constructor(node, ctx) {
    this.node = node;
    this.ctx = ctx;
    this.built = false;
    this.key = null;
    this.historyKey = null;
    this.promotion = null;
    this.token = 0;
  }

  get settings() { return this.ctx.settings('promote'); }

  what() {
    const w = this.settings.what;
    return WHAT.some(([v]) => v === w) ? w : 'images';
  }

  chosenFiles() {
    const f = this.settings.files;
    return Array.isArray(f) ? f.filter((x) => typeof x === 'string') : [];
  }

  build() {
    const s = this.settings;
    this.pair = envPair((patch) => this.set(patch));
    this.whatPicker = segmented('What to promote', WHAT, this.what(), (what) => this.set({ what }));
    this.fileList = el('fieldset', { className: 'file-choice', hidden: true });
    this.prune = checkbox('Show what Flux would prune', s.prune === true, (on) => this.set({ prune: on }),
      'For each Flux cluster: the objects the promotion would delete from it');
    this.preview = el('div', { className: 'preview' });
    this.history = el('section', { className: 'history' });
    this.history.setAttribute('aria-labelledby', 'history-title');
    this.node.replaceChildren(
      el('div', { className: 'view-controls' },
        this.pair.node,
        el('div', { className: 'options' }, el('span', { className: 'label' }, 'Promote'), this.whatPicker, this.prune),
        this.fileList),
      this.preview,
      this.history);
    this.built = true;
  }

  set(changes) {
    Object.assign(this.settings, changes);
    this.ctx.save();
    this.update();
  }

  /** The options for the engine, or null when files are to be promoted but none is chosen. */
  options(names) {
    const what = this.what();
    const o = {};
    if (what === 'images') o.images = true;
    else if (what === 'all') o.all = true;
    else {
      const files = this.chosenFiles().filter((f) => names.includes(f));
      if (!files.length) return null;
      o.files = files;
    }
    if (this.settings.prune === true) o.prune = true;
    return o;
  }

  async update() {
    if (!this.built) this.build();
    this.showHistory();
    const results = this.ctx.results();
    if (results.length < 2) {
      this.key = null;
      this.token++;
      this.promotion = null;
      this.preview.replaceChildren(el('p', { className: 'empty' }, 'Promoting needs two environments: add another kustomization.yaml.'));
      return;
    }
    const s = this.settings;
    this.prune.querySelector('input').checked = s.prune === true;
    const [from, to] = this.pair.fill(results, s);
    const what = this.what();
    this.whatPicker.set(what);
    const names = sharedFiles(this.ctx.paths(), from, to);
    this.showFileChoice(what, names);
    const options = this.options(names);
    // Every render is a new results array: an edit anywhere may change the
    // promotion (a file promoted need not change any render).
    const key = [results, JSON.stringify([from, to, options])];
    if (this.key && this.key[0] === key[0] && this.key[1] === key[1]) return;
    this.key = key;
    this.promotion = null;
    const token = ++this.token;

    const open = new Set([...this.preview.querySelectorAll('details[open]')].map((d) => d.dataset.key));
    if (from === to) {
      this.preview.replaceChildren(el('p', { className: 'empty' }, 'Pick two different environments.'));
      return;
    }
    if (!options) {
      this.preview.replaceChildren(el('p', { className: 'empty' },
        names.length ? 'Choose the files to promote.' : `${displayPath(from)} and ${displayPath(to)} have no file in common to promote (besides the kustomization).`));
      return;
    }
    const failures = renderFailures(results, [from, to], this.ctx.openFile);
    const p = await engineReply(() => this.ctx.engine().fg.call('promote', from, to, options));
    // A newer update (an edit, another option) is under way: its reply counts.
    if (token !== this.token) return;
    if (!p.ok) {
      this.preview.replaceChildren(el('p', { className: 'notice bad' }, 'Cannot promote:'), errorList(p.errors, this.ctx.openFile), failures);
      return;
    }
    this.promotion = { from, to, options, p };
    this.preview.replaceChildren(...this.previewOf(p, from, to));
    for (const d of this.preview.querySelectorAll('details')) if (open.has(d.dataset.key)) d.open = true;
  }

  showFileChoice(what, names) {
    this.fileList.hidden = what !== 'files';
    if (what !== 'files') return;
    const chosen = new Set(this.chosenFiles());
    const key = JSON.stringify([names, [...chosen]]);
    if (this.fileList.dataset.key === key) return;
    this.fileList.dataset.key = key;
    const boxes = names.map((n) => checkbox(n, chosen.has(n), (on) => {
      const next = new Set(this.chosenFiles());
      if (on) next.add(n); else next.delete(n);
      this.set({ files: [...next].sort() });
    }));
    this.fileList.replaceChildren(el('legend', {}, 'Files to copy'),
      ...(names.length ? boxes : [el('span', { className: 'muted' }, 'No file is in both directories.')]));
  }

  previewOf(p, from, to) {
    const out = [];
    const toName = displayPath(to);
    const apply = el('button', {
      type: 'button', className: 'primary apply', disabled: p.noop,
      title: p.noop ? 'Nothing to promote' : `Write the change into ${toName} and record it in the history`,
      onclick: () => this.apply(),
    }, 'Apply promotion');
    if (p.noop) {
      const note = p.notes.find((n) => /nothing to promote/i.test(n)) ?? 'Nothing to promote.';
      out.push(el('div', { className: 'notice noop' }, el('p', {}, note), apply));
    } else {
      out.push(el('div', { className: 'notice ready' },
        el('p', {}, firstLine(p.message), el('br'),
          el('span', { className: 'muted' }, `${p.files.length} file${p.files.length === 1 ? '' : 's'} changed: ${p.files.map((f) => f.path).join(', ')}`)),
        apply));
    }
    const notes = p.notes.filter((n) => !(p.noop && /nothing to promote/i.test(n)));
    if (notes.length) out.push(el('ul', { className: 'notes' }, ...notes.map((n) => el('li', {}, n))));
    if (p.images.length) {
      out.push(el('ul', { className: 'images' }, ...p.images.map((i) => el('li', {},
        el('span', { className: 'change-path' }, i.name), ': ', `${i.before ?? '(none)'} → ${i.after ?? '(none)'}`))));
    }
    if (p.noop) return out;

    out.push(el('section', { className: 'part' },
      el('div', { className: 'part-head' },
        el('h3', {}, 'The source change (pull request)'),
        el('span', { className: 'actions' },
          copyButton('Copy the patch', () => p.patch, 'Copied the patch.', this.ctx.setStatus),
          downloadButton('Download .patch of the source change', () => patchName(p.message), () => p.patch))),
      diffBlock(p.patch, { className: 'patch' })));

    const r = p.rendered;
    out.push(el('section', { className: 'part rendered' },
      el('div', { className: 'part-head' }, el('h3', {}, `${toName} rendered, before → after`)),
      el('p', { className: 'muted' }, summaryText(r, `${toName} before`, 'after')),
      semanticList(r, { withUnified: true })));

    if (p.remaining) {
      out.push(el('section', { className: 'part' },
        el('h3', {}, `Still different from ${displayPath(from)} afterwards`),
        el('p', { className: 'muted' }, summaryText(p.remaining, displayPath(from), toName)),
        p.remaining.equal ? null : semanticList(p.remaining)));
    }

    out.push(el('section', { className: 'part' },
      el('h3', {}, 'The files as they would be'),
      ...p.files.map((f) => el('details', { className: 'file-after', dataset: { key: `file:${f.path}` } },
        el('summary', {}, f.path, f.after == null ? ' (deleted)' : f.before == null ? ' (new)' : ''),
        codeBlock(f.after ?? '')))));

    if (p.prune) out.push(this.pruneOf(p.prune));
    return out;
  }

  pruneOf(clusters) {
    const items = clusters.map((c) => {
      const title = el('h4', {}, displayPath(c.cluster) || '/');
      if (!c.ok) return el('li', {}, title, errorList(c.errors, this.ctx.openFile));
      if (!c.entries.length) return el('li', {}, title, el('p', { className: 'muted' }, 'Nothing pruned.'));
      return el('li', {}, title, el('ul', { className: 'prune-list' }, ...c.entries.map((e) => el('li', { className: `prune-${e.action}` },
        el('span', { className: `res-status s-${e.action}` }, e.action), ' ',
        el('span', { className: 'res-title' }, `${e.kind}/${e.namespace ? `${e.namespace}/` : ''}${e.name}`),
        el('span', { className: 'muted' }, ` (${e.owner}${e.detail ? `; ${e.detail}` : ''})`)))));
    });
    return el('section', { className: 'part' },
      el('h3', {}, 'What Flux would prune once it lands'),
      clusters.length ? el('ul', { className: 'clusters' }, ...items) : el('p', { className: 'muted' }, 'No Flux cluster directory in the tree.'));
  }

  async apply() {
    const current = this.promotion;
    if (!current) return;
    const { from, to, options } = current;
    const { prune, ...applyOptions } = options;
    const entry = await engineReply(() => this.ctx.engine().fg.call('applyPromotion', from, to, applyOptions));
    if (!entry.ok) {
      this.ctx.setStatus(`Not applied: ${entry.errors[0].message}`, true);
      return;
    }
    this.key = null;
    this.ctx.filesChanged(entry.files);
    this.ctx.setStatus(`Applied: ${firstLine(entry.message)} (${entry.files.map(displayPath).join(', ')}).`);
  }

  async showHistory() {
    const entries = await this.ctx.engine().fg.call('history').catch(() => null);
    if (!entries) return;
    const key = JSON.stringify(entries.map((e) => [e.index, e.message, e.files]));
    if (key === this.historyKey) return;
    this.historyKey = key;
    const title = el('h3', { id: 'history-title' }, 'History ', el('span', { className: 'count' }, String(entries.length)));
    if (!entries.length) {
      this.history.replaceChildren(title, el('p', { className: 'muted' }, 'Promotions applied here are listed here, newest first, to revert or export.'));
      return;
    }
    this.history.replaceChildren(title, el('ol', { className: 'history-list' },
      ...[...entries].reverse().map((e) => this.historyItem(e))));
  }

  historyItem(e) {
    const problem = el('div', { className: 'history-error', hidden: true });
    const revert = el('button', {
      type: 'button', className: 'small', ariaLabel: `Revert: ${firstLine(e.message)}`,
      title: 'Give the files their previous text back (as a new entry, like git revert)',
      onclick: async () => {
        const r = await engineReply(() => this.ctx.engine().fg.call('revert', e.index));
        if (!r.ok) {
          problem.hidden = false;
          problem.replaceChildren(errorList(r.errors, this.ctx.openFile));
          this.ctx.setStatus(`Not reverted: ${r.errors[0].message}`, true);
          return;
        }
        this.key = null;
        this.ctx.filesChanged(r.files);
        this.ctx.setStatus(`Reverted: ${firstLine(e.message)}.`);
      },
    }, 'Revert');
    const save = downloadButton(`Download .patch of: ${firstLine(e.message)}`, () => patchName(e.message), async () => {
      const x = await engineReply(() => this.ctx.engine().fg.call('exportPatch', e.index));
      return x.ok ? x.patch : e.patch;
    });
    // Numbered as applied (1 = the first), listed newest first.
    return el('li', { className: 'history-entry', value: e.index + 1, dataset: { index: String(e.index) } },
      el('div', { className: 'part-head' },
        el('span', { className: 'history-message' }, firstLine(e.message)),
        el('span', { className: 'actions' }, revert, save)),
      el('p', { className: 'muted history-files' }, e.files.map(displayPath).join(', ')),
      el('details', {}, el('summary', {}, 'Patch'), diffBlock(e.patch, { className: 'patch' })),
      problem);
  }
}
