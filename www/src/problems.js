// The problems list: every engine error of every environment, once per place,
// then the lint findings of the whole tree (warnings: things that render but
// go wrong in a cluster), each a button that opens its file at its line and
// column.

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

/**
 * The engine's lint findings ([{file, line, column, message, rule, fix}],
 * absolute paths) as problems of kind 'lint', in the page's paths.
 */
export function lintProblems(findings) {
  return findings.map((f) => ({
    kind: 'lint', severity: 'warning', file: f.file ? displayPath(f.file) : null, line: f.line, column: f.column,
    message: f.message, rule: f.rule, fix: f.fix,
  }));
}

export function placeOf(p) {
  return [p.file, p.line, p.column].filter((x) => x != null).join(':');
}

/**
 * Fills `list` (a <ul>), `count` (its heading's badge: the errors) and
 * `lintCount` (the warnings' badge), errors first. `lint` is null while the
 * lint has not run yet. onJump(file, line, column).
 */
export function renderProblems(list, count, problems, onJump, lint = [], lintCount = null) {
  count.textContent = String(problems.length);
  count.classList.toggle('bad', problems.length > 0);
  count.title = `${problems.length} error${problems.length === 1 ? '' : 's'}`;
  if (lintCount) {
    lintCount.textContent = String(lint?.length ?? 0);
    lintCount.hidden = !lint?.length;
    lintCount.title = `${lint?.length ?? 0} lint warning${lint?.length === 1 ? '' : 's'}`;
  }
  if (problems.length === 0 && !lint?.length) {
    list.replaceChildren(el('li', { className: 'none' }, lint
      ? 'No problems: every environment renders and the lint finds nothing.'
      : 'No errors: every environment renders. (The lint runs when typing pauses.)'));
    return;
  }
  const rows = problems.map((p) => row(p, onJump, [
    el('span', { className: 'where' }, placeOf(p) || '(no file)'),
    ' ',
    el('span', { className: 'message' }, p.message),
    ' ',
    el('span', { className: 'envs' }, p.envs.length > 4 ? `in ${p.envs.slice(0, 3).join(', ')} and ${p.envs.length - 3} more` : `in ${p.envs.join(', ')}`),
  ], '', p.envs.length > 4 ? `in ${p.envs.join(', ')}` : null));
  if (problems.length === 0) rows.push(el('li', { className: 'none' }, 'Every environment renders.'));
  for (const p of lint ?? []) {
    const long = p.message.length > CUT;
    rows.push(row(p, onJump, [
      el('span', { className: 'where' }, placeOf(p) || '(no file)'),
      ' ',
      el('span', { className: 'rule' }, `warning [${p.rule}]`),
      ' ',
      el('span', { className: 'message' }, long ? `${p.message.slice(0, CUT)}…` : p.message),
      el('span', { className: 'fix' }, `Fix: ${p.fix}`),
    ], 'lint', long ? p.message : null));
  }
  list.replaceChildren(...rows);
}

// A finding longer than this is cut, with a button that shows all of it
// (a lint finding on a big repository can name a hundred objects).
const CUT = 240;

function row(p, onJump, text, kind = '', full = null) {
  const className = kind ? `problem ${kind}` : 'problem';
  const main = p.file
    ? el('button', { type: 'button', className, title: 'Open this place in the editor', onclick: () => onJump(p.file, p.line, p.column) }, ...text)
    : el('span', { className }, ...text);
  if (!full) return el('li', {}, main);
  const whole = el('p', { className: 'problem-full', hidden: true }, full);
  const more = el('button', {
    type: 'button', className: 'small more', ariaExpanded: 'false',
    onclick: () => {
      whole.hidden = !whole.hidden;
      more.textContent = whole.hidden ? 'Show all' : 'Show less';
      more.setAttribute('aria-expanded', String(!whole.hidden));
    },
  }, 'Show all');
  return el('li', {}, main, more, whole);
}
