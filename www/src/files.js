// The file tree: one section per folder (the base, each environment, the
// clusters), one row per file with rename and delete buttons; a filter field
// above it, and past a few hundred rows only the rows in view are drawn.

import { el, folderOf, nameOf } from './dom.js';

/**
 * Redraws the tree into `nav`.
 * paths: file paths; current: the open one; modified: Set of edited paths;
 * errors: Set of paths with engine errors; warnings: Set of paths with lint
 * findings; on: {open, rename, remove}(path).
 */
export function renderFiles(nav, { paths, current, modified, errors, warnings = new Set(), on }) {
  const tree = nav.fileTree ??= new FileTree(nav);
  tree.set({ paths, current, modified, errors, warnings, on });
}

// Past this many rows the tree draws only the rows in view (a big
// repository has thousands of files: a row each would make every layout of
// the page slow, and with it every keystroke).
const VIRTUAL_FROM = 300;
const ROW = 24; // px, the height of a virtual row

/** The tree: a filter field, then the folders and their files (all of them, or those in view). */
class FileTree {
  constructor(nav) {
    this.nav = nav;
    this.filter = el('input', {
      type: 'search', className: 'file-filter', placeholder: 'Filter files', ariaLabel: 'Filter the files by path',
      spellcheck: false, oninput: () => this.draw(),
    });
    this.list = el('div', { className: 'file-list' });
    this.note = el('p', { className: 'file-filter-note', hidden: true });
    this.nav.replaceChildren(this.filter, this.note, this.list);
    this.list.addEventListener('scroll', () => { if (this.virtual) this.drawWindow(); }, { passive: true });
    new ResizeObserver(() => { if (this.virtual) this.drawWindow(); }).observe(this.list);
  }

  set(data) {
    this.data = data;
    this.draw();
  }

  /** Rows: [folder, null] for a folder heading, [folder, path] for a file. */
  rows() {
    const words = this.filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const folders = new Map();
    let shown = 0;
    for (const path of [...this.data.paths].sort()) {
      const lower = path.toLowerCase();
      if (words.some((w) => !lower.includes(w))) continue;
      shown++;
      const folder = folderOf(path);
      if (!folders.has(folder)) folders.set(folder, []);
      folders.get(folder).push(path);
    }
    const rows = [];
    for (const [folder, files] of [...folders].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      rows.push([folder, null]);
      for (const f of files) rows.push([folder, f]);
    }
    return { rows, shown };
  }

  draw() {
    const { rows, shown } = this.rows();
    this.rowsNow = rows;
    const total = this.data.paths.length;
    this.note.hidden = !this.filter.value.trim();
    this.note.textContent = `${shown} of ${total} files`;
    this.virtual = rows.length > VIRTUAL_FROM;
    this.list.classList.toggle('virtual', this.virtual);
    if (!this.virtual) {
      this.list.style.removeProperty('--rows');
      this.list.replaceChildren(...this.groups(rows));
      return;
    }
    // Keep the open file in view when the tree is redrawn for it.
    const i = rows.findIndex(([, p]) => p === this.data.current);
    if (i >= 0 && this.data.current !== this.scrolledTo) {
      this.scrolledTo = this.data.current;
      const top = i * ROW;
      if (top < this.list.scrollTop || top > this.list.scrollTop + this.list.clientHeight - ROW) this.list.scrollTop = Math.max(0, top - this.list.clientHeight / 3);
    }
    this.spacer = el('div', { className: 'file-spacer' });
    this.spacer.style.height = `${rows.length * ROW}px`;
    this.window = el('ul', { className: 'file-window' });
    this.list.replaceChildren(this.spacer, this.window);
    this.drawn = null;
    this.drawWindow();
  }

  /** The rows in view (and a few more), placed at their offset in the spacer. */
  drawWindow() {
    const rows = this.rowsNow;
    const first = Math.max(0, Math.floor(this.list.scrollTop / ROW) - 10);
    const last = Math.min(rows.length, first + Math.ceil((this.list.clientHeight || 800) / ROW) + 20);
    const key = `${first}:${last}`;
    if (key === this.drawn) return;
    this.drawn = key;
    this.window.style.transform = `translateY(${first * ROW}px)`;
    this.window.replaceChildren(...rows.slice(first, last).map(([folder, path]) => (path == null
      ? el('li', { className: 'folder-row' }, el('h2', { className: 'folder-name', title: folder || '/' }, folder === '' ? '/' : `${folder}/`))
      : this.row(path))));
  }

  groups(rows) {
    const out = [];
    let ul = null;
    for (const [folder, path] of rows) {
      if (path == null) {
        ul = el('ul');
        out.push(el('section', { className: 'folder' },
          el('h2', { className: 'folder-name', title: folder || '/' }, folder === '' ? '/' : `${folder}/`), ul));
      } else {
        ul.append(this.row(path));
      }
    }
    return out;
  }

  row(path) {
    const { current, modified, errors, warnings, on } = this.data;
    const name = nameOf(path);
    return el('li', { className: path === current ? 'row current' : 'row' },
      el('button', {
        type: 'button',
        className: 'file',
        title: path,
        dataset: { path },
        ariaCurrent: path === current ? 'true' : null,
        onclick: () => on.open(path),
      },
      name,
      errors.has(path) ? el('span', { className: 'file-error', title: 'has errors' }, ' ●')
        : warnings.has(path) ? el('span', { className: 'file-warning', title: 'has lint warnings' }, ' ▲') : null,
      modified.has(path) ? el('span', { className: 'modified', title: 'edited' }, ' •') : null),
      el('button', { type: 'button', className: 'icon', ariaLabel: `Rename ${path}`, title: 'Rename', onclick: () => on.rename(path) }, '✎'),
      el('button', { type: 'button', className: 'icon', ariaLabel: `Delete ${path}`, title: 'Delete', onclick: () => on.remove(path) }, '×'),
    );
  }
}
