// One panel per environment: the rendered YAML in a read-only CodeMirror
// with copy and download buttons, or the errors with their places
// (`file:line:column: message`), each a link into the editor.

import { el, displayPath } from './dom.js';
import { createViewer, setText } from './cm.js';

const REDUCED_MOTION = matchMedia('(prefers-reduced-motion: reduce)');

/** `file:line:column: message`, as the engine prints an error. */
export function formatError(e) {
  const where = [e.file ? displayPath(e.file) : null, e.line, e.column].filter((x) => x != null).join(':');
  return where ? `${where}: ${e.message}` : e.message;
}

function countDocuments(yaml) {
  if (!yaml.trim()) return 0;
  return 1 + (yaml.match(/^---$/gm) ?? []).length;
}

/** Saves `text` as a file named `name`, through an object URL (no server). */
export function download(name, text, type = 'application/yaml') {
  const url = URL.createObjectURL(text instanceof Blob ? text : new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * A Copy button: puts `text()` on the clipboard and reports `copied`, or
 * that the browser refused, through onStatus(text, isError).
 */
export function copyButton(label, text, copied, onStatus) {
  return el('button', {
    type: 'button', className: 'small', ariaLabel: label, title: 'Copy to the clipboard',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text());
        onStatus(copied);
      } catch {
        onStatus('The browser did not allow copying; select the text and copy it instead.', true);
      }
    },
  }, 'Copy');
}

/** An engine error as a list item; with a place, a button that opens it: onJump(file, line, column). */
export function errorItem(e, onJump) {
  const text = formatError(e);
  if (!e.file) return el('li', { className: 'error' }, text);
  return el('li', { className: 'error' },
    el('button', {
      type: 'button',
      className: 'error-link',
      title: 'Open this place in the editor',
      onclick: () => onJump(displayPath(e.file), e.line, e.column),
    }, text));
}

export class Outputs {
  /** onJump(file, line, column) opens a place; onStatus(text) reports copy/download. */
  constructor(container, { onJump, onStatus, onNeed = () => {} }) {
    this.container = container;
    this.onJump = onJump;
    this.onStatus = onStatus;
    // onNeed(paths): panels near the screen whose output the engine kept
    // back (a big repository: src/worker.js) ask for it; fill() takes it.
    this.onNeed = onNeed;
    this.visible = new Set();
    this.seen = new IntersectionObserver((entries) => {
      const need = [];
      for (const entry of entries) {
        const path = entry.target.dataset.env;
        if (entry.isIntersecting) this.visible.add(path); else this.visible.delete(path);
        if (entry.isIntersecting && this.panels.get(path)?.deferred) need.push(path);
      }
      if (need.length) this.onNeed(need);
    }, { rootMargin: '400px' });
    this.key = null;
    this.panels = new Map();
    // Editors for panels far below the fold are made when they come near:
    // five CodeMirror views at once would double the time to first output.
    this.lazy = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        this.lazy.unobserve(entry.target);
        const p = [...this.panels.values()].find((x) => x.holder === entry.target);
        if (p && !p.view) {
          p.holder.style.height = '';
          p.view = createViewer(p.holder, { text: p.text, label: p.label });
          // The first output a reader sees; read by tests/browser/measure.mjs.
          if (!performance.getEntriesByName('overlay:first-output-shown').length) performance.mark('overlay:first-output-shown');
        }
      }
    }, { rootMargin: '400px' });
  }

  /** The rendered text of environment `path` (for tests and the measure script). */
  text(path) {
    return this.panels.get(path)?.text ?? null;
  }

  update(results) {
    const key = results.map((r) => r.path).join('\n');
    if (key !== this.key) this.rebuild(results);
    for (const result of results) this.fill(this.panels.get(result.path), result);
  }

  rebuild(results) {
    for (const p of this.panels.values()) { p.view?.destroy(); this.lazy.unobserve(p.holder); this.seen.unobserve(p.node); }
    this.visible.clear();
    this.key = results.map((r) => r.path).join('\n');
    this.panels = new Map();
    if (results.length === 0) {
      this.container.replaceChildren(el('p', { className: 'empty' },
        'No environment found: add a kustomization.yaml to a folder.'));
      return;
    }
    const children = [];
    let group = null;
    for (const result of results) {
      if (result.group !== group) {
        group = result.group;
        children.push(el('h2', { className: 'group-name' }, group === '' ? '/' : group));
      }
      const p = this.panel(result);
      this.panels.set(result.path, p);
      children.push(p.node);
      this.seen.observe(p.node);
    }
    this.container.replaceChildren(...children);
  }

  panel(env) {
    const name = displayPath(env.path);
    const title = el('h3', { className: 'env-title' },
      env.group ? el('span', { className: 'env-group' }, `${env.group}/`) : null, env.name);
    const badge = el('span', { className: 'badge' });
    const p = { badge, text: '' };
    const copy = copyButton(`Copy the YAML of ${name}`, () => p.text, `Copied the YAML of ${name}.`, this.onStatus);
    const save = el('button', {
      type: 'button', className: 'small', ariaLabel: `Download the YAML of ${name}`, title: 'Download as a .yaml file',
      onclick: () => download(`${name.replaceAll('/', '-') || 'root'}.yaml`, p.text),
    }, 'Download');
    const holder = el('div', { className: 'output' });
    p.label = `Rendered YAML of ${name}`;
    p.view = null;
    this.lazy.observe(holder);
    p.errors = el('ul', { className: 'errors', hidden: true });
    p.actions = el('span', { className: 'actions' }, copy, save);
    p.holder = holder;
    p.node = el('article', { className: 'env', dataset: { env: env.path } },
      el('header', { className: 'env-header' }, title, badge, p.actions), holder, p.errors);
    return p;
  }

  /** The environments whose panels are on (or near) the screen. */
  visiblePaths() {
    return [...this.visible];
  }

  fill(p, result) {
    p.deferred = result.ok && result.output === undefined;
    if (p.deferred) {
      // Kept back by the engine until the panel comes into view.
      p.text = null;
      p.shown = undefined;
      p.badge.textContent = `${result.docs} resource${result.docs === 1 ? '' : 's'}`;
      if (!p.view) p.holder.style.height = `${Math.min(result.lines * 19.5 + 8, 448)}px`;
      p.node.classList.remove('failed');
      p.holder.hidden = false;
      p.actions.hidden = false;
      p.errors.hidden = true;
      p.errors.replaceChildren();
      if (this.visible.has(result.path)) queueMicrotask(() => this.onNeed([result.path]));
      return;
    }
    // Flash the panels an edit changed, so it is plain which environments it reached.
    const shown = result.ok ? result.output : JSON.stringify(result.errors);
    if (p.shown !== undefined && p.shown !== shown) {
      p.node.classList.add('changed');
      // The Web Animations API restarts a flash without forcing a layout
      // (re-adding a CSS animation class needs one, on every keystroke).
      if (!REDUCED_MOTION.matches) {
        p.flash?.cancel();
        p.flash = p.node.animate([{ boxShadow: '0 0 0 3px var(--accent)' }, { boxShadow: '0 0 0 0 transparent' }], { duration: 900, easing: 'ease-out' });
      }
    } else {
      p.node.classList.remove('changed');
    }
    p.shown = shown;
    p.node.classList.toggle('failed', !result.ok);
    if (result.ok) {
      const n = countDocuments(result.output);
      p.badge.textContent = `${n} resource${n === 1 ? '' : 's'}`;
      p.text = result.output;
      if (p.view) setText(p.view, result.output);
      // Until its editor exists, a panel keeps the height the text will take.
      else p.holder.style.height = `${Math.min(result.output.split('\n').length * 19.5 + 8, 448)}px`;
      p.holder.hidden = false;
      p.actions.hidden = false;
      p.errors.hidden = true;
      p.errors.replaceChildren();
    } else {
      p.badge.textContent = 'error';
      p.text = '';
      p.holder.hidden = true;
      p.actions.hidden = true;
      p.errors.hidden = false;
      p.errors.replaceChildren(...result.errors.map((e) => errorItem(e, this.onJump)));
    }
  }
}
