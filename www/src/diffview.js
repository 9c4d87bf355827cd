// Pieces the Compare and Promote views share: coloured unified diffs, the
// semantic (per resource, per field) view of an engine diff, error lists
// with links to their places, and the environment pickers. All DOM through
// el(): the YAML shown here may come from a share link.

import { el, displayPath } from './dom.js';
import { errorItem } from './outputs.js';

/** The class of one line of a unified diff. */
function lineClass(line) {
  if (line.startsWith('+++ ') || line.startsWith('--- ') || line.startsWith('diff --git ')) return 'd-head';
  if (line.startsWith('@@')) return 'd-hunk';
  if (line.startsWith('+')) return 'd-add';
  if (line.startsWith('-')) return 'd-del';
  return 'd-ctx';
}

/**
 * A unified diff as a <pre>, one span per line classed d-add/d-del/d-hunk/
 * d-head/d-ctx; focusable so keyboard users can scroll it.
 */
export function diffBlock(text, { className = '' } = {}) {
  const lines = text.replace(/\n$/, '').split('\n');
  const pre = el('pre', { className: `diff ${className}`.trim(), tabIndex: 0 });
  if (!text) {
    pre.append(el('span', { className: 'd-ctx' }, '(no differences)'));
    return pre;
  }
  pre.append(...lines.map((line) => el('span', { className: lineClass(line) }, `${line}\n`)));
  return pre;
}

/** A read-only text block (a file as it would be). */
export function codeBlock(text) {
  return el('pre', { className: 'code-block', tabIndex: 0 }, text);
}

const PLAIN = /^[A-Za-z0-9_./:@-][A-Za-z0-9_./:@ -]*$/;
const LOOKS_TYPED = /^(true|false|null|~|yes|no|on|off|[-+]?[0-9][0-9_.eE+-]*)$/i;

/** A value of a field change, on one line, as the engine's text format shows it. */
export function inline(value) {
  const out = inlineOf(value);
  return out.length > 80 ? `${out.slice(0, 79)}…` : out;
}

function inlineOf(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') {
    if (v === '' || !PLAIN.test(v) || LOOKS_TYPED.test(v) || v.endsWith(' ') || v.includes(': ')) return JSON.stringify(v);
    return v;
  }
  if (Array.isArray(v)) return `[${v.map(inlineOf).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${inlineOf(x)}`).join(', ')}}`;
  return String(v);
}

/** `path: before → after`, `path: + value` or `path: - value`. */
export function changeText(c) {
  if (c.op === 'added') return `+ ${inline(c.after)}`;
  if (c.op === 'removed') return `- ${inline(c.before)}`;
  return `${inline(c.before)} → ${inline(c.after)}`;
}

/** "1 changed, 0 added, 0 removed, 1 unchanged" or that they render the same. */
export function summaryText(diff, from, to) {
  const s = diff.summary;
  if (diff.equal) return `${from} and ${to} render the same (${s.unchanged} resource${s.unchanged === 1 ? '' : 's'}).`;
  return `${s.changed} changed, ${s.added} added, ${s.removed} removed, ${s.unchanged} unchanged.`;
}

function statusWord(r) {
  return r.renamed ? 'renamed' : r.status;
}

/**
 * The semantic view of an engine diff: per resource its title and status,
 * and for changed ones the field changes, `path: before → after` (Secret
 * values come masked from the engine). `withUnified`: each changed
 * resource also gets its own unified diff in a <details>.
 */
export function semanticList(diff, { withUnified = false } = {}) {
  if (!diff.resources.length) return el('p', { className: 'empty' }, 'No resource differs.');
  return el('ul', { className: 'resources' }, ...diff.resources.map((r) => {
    const word = statusWord(r);
    const head = el('div', { className: 'res-head' },
      el('span', { className: `res-status s-${word}` }, word),
      el('span', { className: 'res-title' }, r.title));
    const body = [];
    if (r.status === 'changed' && r.changes.length) {
      body.push(el('ul', { className: 'changes' }, ...r.changes.map((c) =>
        el('li', { className: `change c-${c.op}` },
          el('span', { className: 'change-path' }, c.path), ': ',
          el('span', { className: 'change-values' }, changeText(c))))));
    }
    if (withUnified && r.unified) {
      body.push(el('details', { className: 'res-unified' }, el('summary', {}, 'Unified diff'), diffBlock(r.unified)));
    }
    return el('li', { className: 'resource', dataset: { status: word } }, head, ...body);
  }));
}

/** Errors as `file:line:column: message`, each with a place a link that opens it. */
export function errorList(errors, openFile) {
  return el('ul', { className: 'errors' }, ...errors.map((e) => errorItem(e, openFile)));
}

/** The environments' render results that failed, among `paths`, as a block of errors. */
export function renderFailures(results, paths, openFile) {
  const failed = results.filter((r) => paths.includes(r.path) && !r.ok);
  if (!failed.length) return null;
  return el('div', { className: 'failures' }, ...failed.map((r) => el('div', {},
    el('p', { className: 'failure-title' }, `${displayPath(r.path)} does not render:`),
    errorList(r.errors, openFile))));
}

/** The first adjacent pair of the same group in promotion order (else the first two). */
export function defaultPair(results) {
  for (let i = 0; i + 1 < results.length; i++) {
    if (results[i].group === results[i + 1].group) return [results[i].path, results[i + 1].path];
  }
  return [results[0]?.path ?? null, results[1]?.path ?? results[0]?.path ?? null];
}

/**
 * Fills a <select> with the environments (grouped) when the list changed,
 * and selects `value`.
 */
export function fillEnvSelect(select, results, value) {
  const key = results.map((r) => r.path).join('\n');
  if (select.dataset.key !== key) {
    select.dataset.key = key;
    const groups = new Map();
    for (const r of results) {
      const g = r.group === '' ? '/' : r.group;
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(r);
    }
    select.replaceChildren(...[...groups].map(([g, rs]) => el('optgroup', { label: g },
      ...rs.map((r) => el('option', { value: r.path }, displayPath(r.path))))));
  }
  if (value != null) select.value = value;
}

/** `from`/`to` settings kept when they still name environments, else the default pair. */
export function pickPair(results, settings) {
  const paths = new Set(results.map((r) => r.path));
  const [a, b] = defaultPair(results);
  const from = paths.has(settings.from) ? settings.from : a;
  const to = paths.has(settings.to) ? settings.to : b;
  return [from, to];
}

/**
 * The From ⇄ To pickers of two environments, with a swap button between
 * them. `set(patch)` is called with `{ from }` or `{ to }` when one is
 * picked, and with both, exchanged, on a swap. Returns the two <select>s,
 * the `.pair` node holding them, and `fill(results, settings)`, which lists
 * the environments in both and selects the pair `pickPair` keeps, returned
 * as `[from, to]`.
 */
export function envPair(set) {
  const from = el('select', { className: 'env-select', onchange: () => set({ from: from.value }) });
  const to = el('select', { className: 'env-select', onchange: () => set({ to: to.value }) });
  const swap = el('button', {
    type: 'button', className: 'swap', title: 'Swap the two environments', ariaLabel: 'Swap the two environments',
    onclick: () => set({ from: to.value, to: from.value }),
  }, '⇄');
  const node = el('div', { className: 'pair' }, field('From', from), swap, field('To', to));
  const fill = (results, settings) => {
    const pair = pickPair(results, settings);
    fillEnvSelect(from, results, pair[0]);
    fillEnvSelect(to, results, pair[1]);
    return pair;
  };
  return { from, to, node, fill };
}

/** A labelled control: `<label class="field"><span>text</span>control</label>`. */
export function field(text, control, className = 'field') {
  return el('label', { className }, el('span', {}, text), control);
}

/** A checkbox with its label. */
export function checkbox(text, checked, onchange, title) {
  const box = el('input', { type: 'checkbox', checked, onchange: () => onchange(box.checked) });
  return el('label', { className: 'check', title }, box, text);
}

/** A group of toggle buttons (one pressed); `onpick(value)` on a click. */
export function segmented(label, options, value, onpick) {
  const group = el('div', { className: 'segmented', role: 'group', ariaLabel: label });
  const buttons = options.map(([v, text]) => {
    const b = el('button', { type: 'button', dataset: { value: v }, onclick: () => { set(v); onpick(v); } }, text);
    return b;
  });
  function set(v) {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.value === v));
  }
  set(value);
  group.append(...buttons);
  group.set = set;
  return group;
}
