// One panel per environment: the rendered YAML, or the errors with their
// places (`file:line:column: message`), each a link into the editor.

import { el, displayPath } from './dom.js';

/** `file:line:column: message`, as the engine prints an error. */
export function formatError(e) {
  const where = [e.file ? displayPath(e.file) : null, e.line, e.column].filter((x) => x != null).join(':');
  return where ? `${where}: ${e.message}` : e.message;
}

function countDocuments(yaml) {
  if (!yaml.trim()) return 0;
  return 1 + (yaml.match(/^---$/gm) ?? []).length;
}

function panel(env) {
  const title = el('h3', { className: 'env-title' },
    env.group ? el('span', { className: 'env-group' }, `${env.group}/`) : null,
    env.name);
  const badge = el('span', { className: 'badge' });
  const output = el('pre', { className: 'output', tabIndex: 0 });
  const errors = el('ul', { className: 'errors', hidden: true });
  const node = el('article', { className: 'env', dataset: { env: env.path } },
    el('header', { className: 'env-header' }, title, badge), output, errors);
  return { node, badge, output, errors };
}

/**
 * Keeps `container` showing `results` (from Workspace.renderAll). Panels are
 * kept across renders while the set of environments stays the same, so
 * scroll positions survive typing. onJump(file, line, column) opens a place.
 */
export class Outputs {
  constructor(container, onJump) {
    this.container = container;
    this.onJump = onJump;
    this.key = null;
    this.panels = new Map();
  }

  update(results) {
    const key = results.map((r) => r.path).join('\n');
    if (key !== this.key) this.rebuild(results);
    for (const result of results) this.fill(this.panels.get(result.path), result);
  }

  rebuild(results) {
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
      const p = panel(result);
      this.panels.set(result.path, p);
      children.push(p.node);
    }
    this.container.replaceChildren(...children);
  }

  fill(p, result) {
    // Flash the panels an edit changed, so it is plain which environments it reached.
    const shown = result.ok ? result.output : JSON.stringify(result.errors);
    if (p.shown !== undefined && p.shown !== shown) {
      p.node.classList.remove('changed');
      void p.node.offsetWidth; // restarts the animation
      p.node.classList.add('changed');
    } else {
      p.node.classList.remove('changed');
    }
    p.shown = shown;
    p.node.classList.toggle('failed', !result.ok);
    if (result.ok) {
      const n = countDocuments(result.output);
      p.badge.textContent = `${n} resource${n === 1 ? '' : 's'}`;
      if (p.output.textContent !== result.output) p.output.textContent = result.output;
      p.output.hidden = false;
      p.errors.hidden = true;
      p.errors.replaceChildren();
    } else {
      p.badge.textContent = 'error';
      p.output.hidden = true;
      p.errors.hidden = false;
      p.errors.replaceChildren(...result.errors.map((e) => this.errorItem(e)));
    }
  }

  errorItem(e) {
    const text = formatError(e);
    if (!e.file) return el('li', { className: 'error' }, text);
    return el('li', { className: 'error' },
      el('button', {
        type: 'button',
        className: 'error-link',
        title: 'Open this place in the editor',
        onclick: () => this.onJump(displayPath(e.file), e.line, e.column),
      }, text));
  }
}
