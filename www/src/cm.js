// CodeMirror 6 setups shared by the main page, the embed page and the
// <overlay-playground> element. Colours are CSS variables (see style.css and
// embed.js) so one theme object serves light and dark: the page switches by
// media query or data-theme, never by rebuilding editors.

import { EditorState, Compartment } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { bracketMatching, foldGutter, foldKeymap, indentOnInput, syntaxHighlighting, HighlightStyle } from '@codemirror/language';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { yaml } from '@codemirror/lang-yaml';
import { tags as t } from '@lezer/highlight';

export { EditorView, EditorState, setDiagnostics };

const highlight = HighlightStyle.define([
  { tag: [t.propertyName, t.definition(t.propertyName)], color: 'var(--tok-key)' },
  { tag: [t.string, t.special(t.string), t.content], color: 'var(--tok-string)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--tok-atom)' },
  { tag: [t.comment, t.lineComment], color: 'var(--tok-comment)', fontStyle: 'italic' },
  { tag: [t.meta, t.documentMeta, t.labelName, t.typeName], color: 'var(--tok-meta)' },
  { tag: [t.punctuation, t.separator, t.squareBracket, t.brace], color: 'var(--tok-punct)' },
]);

const theme = EditorView.theme({
  '&': { color: 'var(--fg)', backgroundColor: 'var(--code)', fontSize: '13px', height: '100%' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-content': { caretColor: 'var(--fg)' },
  '.cm-gutters': { backgroundColor: 'var(--pane)', color: 'var(--muted)', borderRight: '1px solid var(--line)' },
  '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--active-line)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection) !important' },
  '.cm-cursor': { borderLeftColor: 'var(--fg)' },
  '.cm-matchingBracket': { backgroundColor: 'var(--accent-bg)', outline: '1px solid var(--accent)' },
  '.cm-panels': { backgroundColor: 'var(--pane)', color: 'var(--fg)' },
  '.cm-panels input, .cm-panels button': { color: 'var(--fg)' },
  '.cm-searchMatch': { backgroundColor: 'var(--search-match)' },
  '.cm-tooltip': { backgroundColor: 'var(--pane)', color: 'var(--fg)', border: '1px solid var(--line)' },
});

// style-mod (CodeMirror's style injector) writes a <style> element into a
// document's head, which a CSP without 'unsafe-inline' blocks; in a shadow
// root it uses a constructable stylesheet (adoptedStyleSheets), which CSP
// does not govern. So every editor lives in an open shadow root of its host.
// The colour variables are inherited properties and pass the boundary.
function shadowOf(host) {
  return host.shadowRoot ?? host.attachShadow({ mode: 'open' });
}

const base = () => [
  lineNumbers(),
  highlightSpecialChars(),
  drawSelection(),
  highlightActiveLineGutter(),
  bracketMatching(),
  highlightSelectionMatches(),
  yaml(),
  syntaxHighlighting(highlight),
  theme,
];

/** A view of `text` in a shadow root of `parent`: the shared setup, then `extensions`. */
function mount(parent, text, extensions) {
  const root = shadowOf(parent);
  return new EditorView({ parent: root, root, state: EditorState.create({ doc: text, extensions: [base(), ...extensions] }) });
}

/**
 * An editable YAML editor. `onChange(text)` after every document change;
 * `extraKeys` are bindings that win over the defaults (Mod-p, Mod-s…).
 * `label` names the editor for screen readers.
 */
export function createEditor(parent, { text = '', onChange, extraKeys = [], label = 'YAML editor', readOnly = false } = {}) {
  const editable = new Compartment();
  const view = mount(parent, text, [
    history(),
    foldGutter(),
    lintGutter(),
    indentOnInput(),
    highlightActiveLine(),
    EditorState.tabSize.of(2),
    keymap.of([...extraKeys, ...searchKeymap, ...historyKeymap, ...foldKeymap, indentWithTab, ...defaultKeymap]),
    editable.of(readOnlyExtensions(readOnly)),
    EditorView.contentAttributes.of({ 'aria-label': label }),
    EditorView.updateListener.of((u) => { if (u.docChanged && onChange) onChange(u.state.doc.toString()); }),
  ]);
  view.setReadOnly = (ro) => view.dispatch({ effects: editable.reconfigure(readOnlyExtensions(ro)) });
  return view;
}

function readOnlyExtensions(ro) {
  return ro ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : [];
}

/** A read-only viewer for rendered YAML: selectable, searchable, focusable. */
export function createViewer(parent, { text = '', label = 'Rendered YAML' } = {}) {
  return mount(parent, text, [
    keymap.of([...searchKeymap, ...defaultKeymap]),
    readOnlyExtensions(true),
    EditorView.theme({ '&': { height: 'auto' } }),
    // Focusable (tabindex) so keyboard users can scroll and search it.
    EditorView.contentAttributes.of({ 'aria-label': label, 'aria-readonly': 'true', tabindex: '0' }),
  ]);
}

/** Replaces the whole document; keeps the view (and its scroll) when nothing changed. */
export function setText(view, text) {
  const old = view.state.doc.toString();
  if (old === text) return false;
  // Replace only the differing middle, so unchanged lines keep their place and scroll.
  let start = 0;
  while (start < old.length && start < text.length && old[start] === text[start]) start++;
  let endOld = old.length, endNew = text.length;
  while (endOld > start && endNew > start && old[endOld - 1] === text[endNew - 1]) { endOld--; endNew--; }
  view.dispatch({ changes: { from: start, to: endOld, insert: text.slice(start, endNew) } });
  return true;
}

/** The document offset of 1-based `line`, `column` (clamped into the document). */
export function offsetOf(doc, line, column) {
  const l = doc.line(Math.min(Math.max(line ?? 1, 1), doc.lines));
  return l.from + Math.min(Math.max((column ?? 1) - 1, 0), l.length);
}

/** Moves the cursor to line:column, scrolls it into view and focuses the editor. */
export function reveal(view, line, column) {
  const pos = offsetOf(view.state.doc, line, column);
  const end = view.state.doc.lineAt(pos).to;
  view.dispatch({ selection: { anchor: pos, head: end > pos ? end : pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
  view.focus();
}

/**
 * Lint diagnostics for the engine errors and lint findings that name `file`
 * (deduplicated). Each is an error unless it says `severity` (lint findings
 * come as 'warning').
 */
export function diagnosticsFor(doc, errors) {
  const seen = new Set();
  const out = [];
  for (const e of errors) {
    const from = offsetOf(doc, e.line, e.column);
    const key = `${from}\n${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const to = Math.max(from, doc.lineAt(from).to);
    const message = e.envs?.length ? `${e.message} (${e.envs.join(', ')})` : e.fix ? `${e.message}. Fix: ${e.fix}` : e.message;
    out.push({ from, to: to > from ? to : from, severity: e.severity ?? 'error', message, source: e.rule ? `overlay lint: ${e.rule}` : 'overlay' });
  }
  return out;
}
