// Overlay Playground: wires the editor, the file tree, the problems list and
// the environment panels to the engine (a wasm `Workspace`). Every edit
// re-renders every environment synchronously; the engine takes a few ms.

import init, { Workspace } from '../pkg/overlay.js';
import presets from '../pkg/presets.js';
import { el, displayPath } from './dom.js';
import { createEditor, reveal, diagnosticsFor, setDiagnostics, setText } from './cm.js';
import { renderFiles } from './files.js';
import { Outputs, download } from './outputs.js';
import { collectProblems, lintProblems, renderProblems } from './problems.js';
import { quickOpen } from './quickopen.js';
import { Store } from './store.js';
import { encodeState, decodeState, cleanPath } from './share.js';
import { writeZip, readZip } from './zip.js';
import { Views } from './views.js';
import { CompareView } from './compare.js';
import { PromoteView } from './promote.js';
import { ClusterView } from './cluster.js';
import { registerOffline } from './offline.js';

const DEFAULT_PRESET = 'fleet-infra';
const $ = (id) => document.getElementById(id);
const ui = {
  status: $('status'), banner: $('banner'), files: $('files'), editorHost: $('editor'),
  editorPath: $('editor-path'), outputs: $('outputs'), preset: $('preset'),
  problems: $('problems'), problemCount: $('problem-count'), lintCount: $('lint-count'), tabs: $('tabs'),
};

/**
 * {preset, files: {path: text}, current, env, view, views, history} — what
 * the user works on: the tree, the open file, the selected environment, the
 * view on screen and each view's settings (`views.compare.from`…), and the
 * promotions applied (the engine's `historyState()`).
 */
let state = null;
let workspace = null;
let results = [];
let problems = [];
// false while a shared link is shown that the user has not chosen to keep:
// its edits must not overwrite the workspace saved in this browser.
let saving = true;
let saveError = '';
let renderStatus = ''; // the last render's status line, without save errors
let lastPanels = 0; // ms the last render spent updating the panels
let lastKey = 0; // timeStamp of the last keydown, for the timings below
const timings = []; // {engine, panels, save, update, sinceKey} per edit, read by tests/browser/measure.mjs

// What the views get of the page: the engine, the latest renders, their own
// settings (saved with the workspace and carried by share links), and ways to
// open a place, report, and hand back files the engine changed.
const viewContext = {
  workspace: () => workspace,
  results: () => results,
  settings: (name) => (state.views[name] ??= {}),
  save: () => persist(),
  openFile: (path, line, column) => openFile(path, line, column),
  setStatus: (text, isError) => setStatus(text, isError),
  filesChanged: (paths) => filesChanged(paths),
};
const views = new Views(ui.tabs, { onSwitch: (name) => { state.view = name; persist(); } });
views.register('envs', { node: ui.outputs, update() {} });
views.register('compare', new CompareView($('view-compare'), viewContext));
views.register('promote', new PromoteView($('view-promote'), viewContext));
views.register('clusters', new ClusterView($('view-clusters'), viewContext));

const store = new Store({ onConflict: showConflict, current: () => state });
const outputs = new Outputs(ui.outputs, { onJump: (f, l, c) => openFile(f, l, c), onStatus: setStatus });
const editor = createEditor(ui.editorHost, {
  onChange: onEdit,
  label: 'File contents (YAML)',
  extraKeys: [
    { key: 'Mod-p', run: () => (openQuick(), true) },
    { key: 'Mod-s', run: () => (share(), true) },
    { key: 'Shift-Alt-f', run: () => (format(), true) },
  ],
});
let loadingFile = false; // set while openFile swaps the document: not an edit

function presetState(name) {
  const files = { ...presets[name] };
  return { preset: name, files, current: Object.keys(files).sort()[0] ?? null, env: null, view: 'envs', views: {}, history: [] };
}

function loadWorkspace() {
  try { workspace?.free(); } catch { /* a workspace the engine crashed in cannot always be freed */ }
  workspace = new Workspace();
  for (const [path, text] of Object.entries(state.files)) workspace.setFile(path, text);
  if (state.history?.length) {
    const restored = workspace.restoreHistory(state.history);
    if (!restored.ok) {
      state.history = [];
      setStatus(`The saved promotion history could not be read (${restored.errors[0].message}); it starts afresh.`, true);
    }
  }
}

const isModified = (path) => state.preset in presets && state.files[path] !== presets[state.preset][path];
const modifiedPaths = () => new Set(Object.keys(state.files).filter(isModified));
function hasEdits() {
  if (!(state.preset in presets)) return Object.keys(state.files).length > 0;
  return modifiedPaths().size > 0 || Object.keys(presets[state.preset]).some((p) => !(p in state.files));
}

// Saved on every change, synchronously: a save left for later can land
// after a reload already read the old copy (the unload of a page may run
// after the next page started). It costs a JSON.stringify of the tree and a
// short revision read; the measure script shows it is not felt.
function persist() {
  flushSave();
}
function flushSave() {
  if (!saving) return;
  const outcome = store.save(state);
  const before = saveError;
  saveError = outcome === 'failed'
    ? ' Saving failed: this browser refused to store the workspace (storage full or disabled). Download a .zip to keep your work.'
    : '';
  if (saveError !== before) setStatus(renderStatus + saveError, saveError !== '');
}

function setStatus(text, isError = false) {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', isError);
}

/** A message with choices above the panes; `actions` are [label, handler] pairs. */
function showBanner(message, actions = [], extra = null) {
  ui.banner.replaceChildren(el('p', {}, message), ...(extra ? [extra] : []),
    ...actions.map(([label, run]) => el('button', { type: 'button', onclick: () => { hideBanner(); run(); } }, label)),
    el('button', { type: 'button', className: 'icon', ariaLabel: 'Dismiss', title: 'Dismiss', onclick: hideBanner }, '×'));
  ui.banner.hidden = false;
}
function hideBanner() { ui.banner.hidden = true; ui.banner.replaceChildren(); }

function showFiles() {
  renderFiles(ui.files, {
    paths: Object.keys(state.files),
    current: state.current,
    modified: modifiedPaths(),
    errors: new Set(problems.map((p) => p.file).filter(Boolean)),
    warnings: new Set(lintFiles()),
    on: { open: (p) => openFile(p), rename: renameFile, remove: deleteFile },
  });
}

function openFile(path, line, column) {
  if (!(path in state.files)) { setStatus(`No file ${path} in the tree.`, true); return; }
  const switched = state.current !== path || editor.state.doc.toString() !== state.files[path];
  state.current = path;
  ui.editorPath.textContent = path;
  if (switched) {
    loadingFile = true;
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: state.files[path] }, selection: { anchor: 0 }, scrollIntoView: true });
    loadingFile = false;
  }
  editor.setReadOnly(false);
  showDiagnostics();
  persist();
  showFiles();
  if (line) reveal(editor, line, column);
}

function showNoFile() {
  state.current = null;
  ui.editorPath.textContent = 'No file open';
  loadingFile = true;
  setText(editor, '');
  loadingFile = false;
  editor.setReadOnly(true);
}

// The lint (workspace.lint(): it builds every cluster, several renders'
// worth) runs once typing pauses, never inside the keystroke; its findings
// join the problems list as warnings when it is done.
const LINT_DELAY = 250;
let lint = null; // lintProblems() of lintedWorkspace, null until the lint ran
let lintedWorkspace = null;
let lintTimer = 0;
function scheduleLint() {
  clearTimeout(lintTimer);
  lintTimer = setTimeout(runLint, LINT_DELAY);
  ui.problems.classList.add('linting'); // the findings shown are the last edit's but one
}
function runLint() {
  const t0 = performance.now();
  let found;
  try { found = workspace.lint(); } catch (error) { console.warn(error); return; }
  const ms = performance.now() - t0;
  const before = lintFiles().join('\n');
  lint = lintProblems(found);
  lintedWorkspace = workspace;
  ui.problems.classList.remove('linting');
  showProblems();
  ui.lintCount.dataset.ms = ms.toFixed(1);
  ui.lintCount.title += ` (the lint took ${ms.toFixed(0)} ms)`;
  showDiagnostics();
  if (lintFiles().join('\n') !== before) showFiles();
}
const lintFiles = () => [...new Set((lint ?? []).map((p) => p.file).filter(Boolean))].sort();
function showProblems() {
  renderProblems(ui.problems, ui.problemCount, problems, (f, l, c) => openFile(f, l, c), lint, ui.lintCount);
}

function showDiagnostics() {
  const mine = [...problems, ...(lint ?? [])].filter((p) => p.file === state.current);
  const diags = diagnosticsFor(editor.state.doc, mine);
  editor.dispatch(setDiagnostics(editor.state, diags));
}

function render() {
  const started = performance.now();
  try {
    results = workspace.renderAll();
  } catch (error) {
    // A panic in the engine: a bug. Show it, keep the edits, start afresh.
    console.warn(error);
    setStatus(`The engine crashed (${error}). Your edits are kept; please report the input that caused it.`, true);
    try { loadWorkspace(); } catch { /* the next edit will tell */ }
    return 0;
  }
  const engine = performance.now() - started;
  const t1 = performance.now();
  outputs.update(results);
  lastPanels = performance.now() - t1;
  problems = collectProblems(results);
  if (lintedWorkspace !== workspace) lint = null; // another tree: its findings are gone
  showProblems();
  scheduleLint();
  views.refresh();
  const failed = results.filter((r) => !r.ok).length;
  const n = results.length;
  renderStatus = `${n} environment${n === 1 ? '' : 's'} rendered in ${engine.toFixed(1)} ms` +
    (failed ? `, ${failed} with errors.` : '.');
  setStatus(renderStatus + saveError, saveError !== '');
  return engine;
}

function onEdit(text) {
  if (loadingFile || state.current == null) return;
  const t0 = performance.now();
  const path = state.current;
  const wasModified = isModified(path);
  const hadErrors = problems.length;
  state.files[path] = text;
  workspace.setFile(path, text);
  const s0 = performance.now();
  persist();
  const save = performance.now() - s0;
  const engine = render();
  // The editor is inside its own update: its diagnostics go in right after.
  queueMicrotask(showDiagnostics);
  if (wasModified !== isModified(path) || hadErrors !== problems.length) showFiles();
  const now = performance.now();
  timings.push({ engine, panels: lastPanels, save, update: now - t0, sinceKey: lastKey ? now - lastKey : null });
}

function renameFile(path) {
  const answer = prompt(`New path for ${path}:`, path);
  if (answer == null || answer === path) return;
  const to = cleanPath(answer);
  if (!to) { setStatus(`"${answer}" is not a path inside the tree.`, true); return; }
  if (to in state.files && !confirm(`${to} exists. Replace it?`)) return;
  state.files[to] = state.files[path];
  delete state.files[path];
  workspace.removeFile(path);
  workspace.setFile(to, state.files[to]);
  if (state.current === path) state.current = to;
  render();
  openFile(state.current ?? to);
}

function newFile() {
  const folder = state.current?.includes('/') ? state.current.slice(0, state.current.lastIndexOf('/') + 1) : '';
  const answer = prompt('Path of the new file (folders are made as needed):', `${folder}new.yaml`);
  if (answer == null) return;
  const path = cleanPath(answer);
  if (!path) { setStatus(`"${answer}" is not a path inside the tree.`, true); return; }
  if (!(path in state.files)) {
    state.files[path] = '';
    workspace.setFile(path, '');
  }
  render();
  openFile(path);
}

function deleteFile(path = state.current) {
  if (path == null || !confirm(`Delete ${path}?`)) return;
  delete state.files[path];
  workspace.removeFile(path);
  render();
  if (state.current === path) {
    const next = Object.keys(state.files).sort()[0];
    if (next) openFile(next);
    else showNoFile();
  }
  persist();
  showFiles();
}

/** Replaces the whole tree (a preset, a zip, another tab's copy). */
function replaceTree(next, { save = true } = {}) {
  state = {
    preset: next.preset ?? null, files: next.files, current: next.current, env: next.env ?? null,
    view: next.view ?? 'envs', views: next.views ?? {}, history: next.history ?? [],
  };
  views.active = state.view; // shown by the render below
  if (!(state.current in state.files)) state.current = Object.keys(state.files).sort()[0] ?? null;
  ui.preset.value = state.preset in presets ? state.preset : '';
  loadWorkspace();
  render();
  if (state.current) openFile(state.current);
  else showNoFile();
  showFiles();
  if (save) {
    saving = true;
    store.save(state, { force: true });
  }
  views.show(state.view);
  focusEnv(state.env);
}

/**
 * The engine changed files itself (a promotion applied or reverted): copy
 * them into the page's tree, save, re-render, and keep the history.
 * `paths` are the engine's (absolute).
 */
function filesChanged(paths) {
  for (const p of paths) {
    const path = displayPath(p);
    const text = workspace.getFile(p);
    if (text === undefined) delete state.files[path];
    else state.files[path] = text;
  }
  state.history = workspace.historyState();
  render();
  if (state.current && !(state.current in state.files)) state.current = Object.keys(state.files).sort()[0] ?? null;
  if (state.current) {
    openFile(state.current); // shows the new text if it changed; saves, redraws the tree
  } else {
    showNoFile();
    persist();
    showFiles();
  }
}

/** Replaces the tree with preset `name`, after asking when that loses edits. */
function loadPreset(name) {
  if (hasEdits() && !confirm(`Discard your edits and load the preset "${name}"?`)) {
    ui.preset.value = state.preset in presets ? state.preset : '';
    return;
  }
  replaceTree(presetState(name));
}

function focusEnv(path) {
  const node = path && ui.outputs.querySelector(`article.env[data-env="${CSS.escape(path)}"]`);
  if (!node) return;
  node.classList.add('selected');
  node.scrollIntoView({ block: 'start' });
}

async function share() {
  const fragment = await encodeState(state);
  const url = `${location.origin}${location.pathname}#${fragment}`;
  const field = el('input', { type: 'text', readOnly: true, value: url, className: 'share-url', ariaLabel: 'Share link' });
  let copied = false;
  try { await navigator.clipboard.writeText(url); copied = true; } catch { /* shown below for copying by hand */ }
  showBanner(`${copied ? 'Link copied. ' : ''}It holds the whole tree (${(fragment.length / 1024).toFixed(1)} KB), the open file and the selected environment; nothing is uploaded.`, [], field);
  field.select();
}

function format() {
  // YAML forbids tabs for indentation; trailing blanks and missing final
  // newlines are the usual noise. A tidy, not a re-layout (comments stay).
  const text = editor.state.doc.toString();
  const tidy = text.replace(/^\t+/gm, (m) => '  '.repeat(m.length)).replace(/[ \t]+$/gm, '').replace(/\n*$/, '\n');
  if (tidy !== text) setText(editor, tidy);
  setStatus(tidy === text ? 'Already tidy.' : 'Tidied: tabs, trailing blanks, final newline.');
}

function openQuick() {
  quickOpen({ paths: Object.keys(state.files).sort(), onOpen: (p) => openFile(p) });
}

async function downloadZip() {
  download(`${state.preset ?? 'workspace'}.zip`, await writeZip(state.files));
}

const SKIP = /(^|\/)(\.git|node_modules)(\/|$)/;

/** [{path, file}] from an upload → {path: text}; skips big, binary and VCS files. */
async function readUploads(entries) {
  const files = {};
  for (const { path, file } of entries) {
    if (SKIP.test(path) || file.size > 1 << 20) continue;
    const buffer = await file.arrayBuffer();
    if (file.name.toLowerCase().endsWith('.zip')) {
      for (const [p, t] of Object.entries(await readZip(buffer))) if (!SKIP.test(p)) files[p] = t;
    } else {
      try { files[path] = new TextDecoder('utf-8', { fatal: true }).decode(buffer); } catch { /* binary */ }
    }
  }
  return stripCommonFolder(files);
}

/** A zip or folder usually wraps the tree in one folder: take it off. */
function stripCommonFolder(files) {
  const clean = {};
  for (const [p, t] of Object.entries(files)) { const c = cleanPath(p); if (c) clean[c] = t; }
  const paths = Object.keys(clean);
  const tops = new Set(paths.map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '')));
  if (tops.size !== 1 || tops.has('')) return clean;
  const cut = [...tops][0].length + 1;
  return Object.fromEntries(paths.map((p) => [p.slice(cut), clean[p]]));
}

async function upload(input) {
  const entries = [...input.files].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
  input.value = '';
  if (!entries.length) return;
  try {
    const files = await readUploads(entries);
    const n = Object.keys(files).length;
    if (!n) { setStatus('The upload held no text files.', true); return; }
    if (hasEdits() && !confirm(`Replace the tree with the ${n} uploaded files? Your edits will be lost.`)) return;
    replaceTree({ preset: null, files, current: null });
    setStatus(`Loaded ${n} files.`);
  } catch (error) {
    setStatus(`Could not read the upload: ${error.message}`, true);
  }
}

function showConflict(theirs) {
  showBanner('Another tab saved a different version of this workspace. Saving here is paused until you choose.', [
    ['Load the other tab’s version', () => replaceTree(theirs)],
    ['Keep mine (replace theirs)', () => { store.save(state, { force: true }); setStatus('Your version is saved.'); }],
  ]);
}

function showPresets() {
  const names = Object.keys(presets).sort((a, b) => (a === DEFAULT_PRESET ? -1 : b === DEFAULT_PRESET ? 1 : a.localeCompare(b)));
  ui.preset.replaceChildren(el('option', { value: '', disabled: true }, '(your files)'), ...names.map((name) => el('option', { value: name }, name)));
}

/** The state to start from: a share link, the saved workspace, or the default preset. */
async function initialState() {
  const saved = store.load();
  let shared = null;
  try {
    shared = await decodeState(location.hash);
  } catch {
    setStatus('This share link is damaged (perhaps cut short when copied); showing your workspace instead.', true);
  }
  if (shared) {
    history.replaceState(null, '', location.pathname + location.search);
    const same = saved && JSON.stringify(saved.files) === JSON.stringify(shared.files);
    if (saved && !same) {
      // Show the link, keep the saved workspace until the user picks one.
      saving = false;
      queueMicrotask(() => showBanner('You are looking at a shared workspace. Your own saved workspace is untouched; edits here are not saved until you keep this one.', [
        ['Keep this one (replaces my saved workspace)', () => { saving = true; store.save(state, { force: true }); }],
        ['Back to my workspace', () => (saving = true) && replaceTree(store.load() ?? presetState(DEFAULT_PRESET), { save: false })],
      ]));
    }
    return shared;
  }
  return saved ?? presetState(DEFAULT_PRESET);
}

function wire() {
  ui.preset.addEventListener('change', () => loadPreset(ui.preset.value));
  $('reset').addEventListener('click', () => loadPreset(state.preset in presets ? state.preset : DEFAULT_PRESET));
  $('new-file').addEventListener('click', newFile);
  $('quick-open').addEventListener('click', openQuick);
  $('share').addEventListener('click', share);
  $('download-zip').addEventListener('click', downloadZip);
  $('upload-zip').addEventListener('change', (e) => upload(e.target));
  $('upload-folder').addEventListener('change', (e) => upload(e.target));
  ui.outputs.addEventListener('focusin', (e) => {
    const env = e.target.closest('article.env');
    if (!env || env.dataset.env === state.env) return;
    ui.outputs.querySelector('article.env.selected')?.classList.remove('selected');
    env.classList.add('selected');
    state.env = env.dataset.env;
    persist();
  });
  // A share link pasted into this tab changes only the fragment: load it.
  addEventListener('hashchange', () => { if (location.hash.startsWith('#s=')) location.reload(); });
  // Shortcuts that must work outside the editor too (Ctrl-P would print).
  document.addEventListener('keydown', (e) => {
    lastKey = performance.now();
    if (!(e.ctrlKey || e.metaKey) || e.altKey || editor.hasFocus) return;
    const key = e.key.toLowerCase();
    if (key === 'p') { e.preventDefault(); openQuick(); }
    else if (key === 's') { e.preventDefault(); share(); }
  }, true);
}

async function main() {
  await init({ module_or_path: new URL('../pkg/overlay_bg.wasm', import.meta.url) });
  performance.mark('overlay:engine-ready');
  showPresets();
  wire();
  const start = await initialState();
  replaceTree(start, { save: false });
  performance.mark('overlay:first-render'); // read by tests/browser/measure.mjs
  document.body.dataset.ready = 'true';
  registerOffline();
  // For tests and tests/browser/measure.mjs.
  window.playground = { editor, outputs, views, timings, state: () => state, openFile };
}

main().catch((error) => {
  console.error(error);
  setStatus(`The playground could not start: ${error}`, true);
  ui.outputs.replaceChildren(el('p', { className: 'empty' }, 'The engine did not load; see the status line above.'));
});
