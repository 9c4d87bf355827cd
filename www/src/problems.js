// The problems list: every engine error of every environment, once per place,
// each a button that opens its file at its line and column.

import { el, displayPath } from './dom.js';

/**
 * Merges the errors of all results into one entry per place:
 * [{file, line, column, message, envs: [env path…]}], sorted by place.
 */
export function collectProblems(results) {
  const byPlace = new Map();
  for (const r of results) {
    if (r.ok) continue;
    for (const e of r.errors) {
      const file = e.file ? displayPath(e.file) : null;
      const key = `${file}\n${e.line}\n${e.column}\n${e.message}`;
      if (!byPlace.has(key)) byPlace.set(key, { file, line: e.line, column: e.column, message: e.message, envs: [] });
      byPlace.get(key).envs.push(displayPath(r.path));
    }
  }
  return [...byPlace.values()].sort((a, b) =>
    String(a.file).localeCompare(String(b.file)) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

export function placeOf(p) {
  return [p.file, p.line, p.column].filter((x) => x != null).join(':');
}

/** Fills `list` (a <ul>) and `count` (its heading's badge). onJump(file, line, column). */
export function renderProblems(list, count, problems, onJump) {
  count.textContent = String(problems.length);
  count.classList.toggle('bad', problems.length > 0);
  if (problems.length === 0) {
    list.replaceChildren(el('li', { className: 'none' }, 'No problems: every environment renders.'));
    return;
  }
  list.replaceChildren(...problems.map((p) => {
    const text = [
      el('span', { className: 'where' }, placeOf(p) || '(no file)'),
      ' ',
      el('span', { className: 'message' }, p.message),
      ' ',
      el('span', { className: 'envs' }, `in ${p.envs.join(', ')}`),
    ];
    return el('li', {}, p.file
      ? el('button', { type: 'button', className: 'problem', title: 'Open this place in the editor', onclick: () => onJump(p.file, p.line, p.column) }, ...text)
      : el('span', { className: 'problem' }, ...text));
  }));
}
