// The file list: one heading per folder, one button per file.

import { el, folderOf, nameOf } from './dom.js';

/**
 * Redraws the list into `nav`.
 * paths: file paths (`apps/base/x.yaml`); current: the open one;
 * modified: a Set of paths that differ from the preset; onOpen(path).
 */
export function renderFiles(nav, { paths, current, modified, onOpen }) {
  const folders = new Map();
  for (const path of [...paths].sort()) {
    const folder = folderOf(path);
    if (!folders.has(folder)) folders.set(folder, []);
    folders.get(folder).push(path);
  }
  // A folder's own files before its subfolders: sort by folder, then name.
  const sorted = [...folders].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const groups = sorted.map(([folder, files]) =>
    el('section', { className: 'folder' },
      el('h2', { className: 'folder-name' }, folder === '' ? '/' : `${folder}/`),
      el('ul', {},
        ...files.map((path) =>
          el('li', {},
            el('button', {
              type: 'button',
              className: 'file',
              title: path,
              dataset: { path },
              ariaCurrent: path === current ? 'true' : null,
              onclick: () => onOpen(path),
            },
            nameOf(path),
            modified.has(path) ? el('span', { className: 'modified', title: 'edited' }, ' •') : null),
          ),
        ),
      ),
    ),
  );
  nav.replaceChildren(...groups);
}
