// The file tree: one section per folder (the base, each environment, the
// clusters), one row per file with rename and delete buttons.

import { el, folderOf, nameOf } from './dom.js';

/**
 * Redraws the tree into `nav`.
 * paths: file paths; current: the open one; modified: Set of edited paths;
 * errors: Set of paths with engine errors; warnings: Set of paths with lint
 * findings; on: {open, rename, remove}(path).
 */
export function renderFiles(nav, { paths, current, modified, errors, warnings = new Set(), on }) {
  const folders = new Map();
  for (const path of [...paths].sort()) {
    const folder = folderOf(path);
    if (!folders.has(folder)) folders.set(folder, []);
    folders.get(folder).push(path);
  }
  const sorted = [...folders].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const groups = sorted.map(([folder, files]) =>
    el('section', { className: 'folder' },
      el('h2', { className: 'folder-name', title: folder || '/' }, folder === '' ? '/' : `${folder}/`),
      el('ul', {},
        ...files.map((path) => {
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
        }),
      ),
    ),
  );
  nav.replaceChildren(...groups);
}
