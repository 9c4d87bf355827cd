// Overlay Playground: wires the editor, the file tree, the problems list and
// the environment panels to the engine (a wasm `Workspace` in two Web
// Workers, src/engine.js). An edit posts the changed file and asks for a
// render of every environment; the page goes on meanwhile, and a render
// made stale by a newer edit is dropped, not shown.

import { Engine, EngineCrash } from './engine.js';
import presets from '../pkg/presets.js';
import { el, displayPath } from './dom.js';
import { createEditor, reveal, diagnosticsFor, setDiagnostics, setText } from './cm.js';
import { renderFiles } from './files.js';
import { Outputs, download } from './outputs.js';
import { collectProblems, lintProblems, renderProblems } from './problems.js';
import { quickOpen } from './quickopen.js';
import { Store } from './store.js';
import { encodeState, decodeState, cleanPath, MAX_LINK } from './share.js';
import { writeZip, readZipEntries, fileValue, LIMITS } from './zip.js';
import { Views } from './views.js';
import { registerOffline } from './offline.js';
import { adoptPalette } from './palette.js';

adoptPalette(document);

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
let engine = null;
let tree = 0; // counts whole-tree loads: lint findings of another tree are dropped
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
  engine: () => engine,
  paths: () => Object.keys(state.files).map((p) => `/${p}`).sort(),
  results: () => results,
  settings: (name) => (state.views[name] ??= {}),
  save: () => persist(),
  openFile: (path, line, column) => openFile(path, line, column),
  setStatus: (text, isError) => setStatus(text, isError),
  filesChanged: (paths) => filesChanged(paths),
};
const views = new Views(ui.tabs, { onSwitch: (name) => { state.view = name; $('env-tools').hidden = name !== 'envs'; persist(); } });
/**
 * A view whose code loads when its tab first shows (a chunk of its own, so
 * the first load carries only the Environments view): until then a panel,
 * and `update()` starts the load; the loaded view takes every later update.
 */
function lazyView(name, description, load) {
  const node = views.panel(name, description);
  let view = null;
  let loading = null;
  return {
    node,
    update() {
      if (view) return view.update();
      loading ??= load().then((View) => {
        view = new View(node, viewContext);
        view.update();
      }, (error) => {
        loading = null; // offline before the chunk was kept: try again on the next update
        node.replaceChildren(el('p', { className: 'muted' }, `This view could not be loaded (${error.message ?? error}); it loads again when the page can reach its files.`));
      });
      return loading;
    },
  };
}

// The result tabs, in order: each declared here alone.
views.register('envs', 'Environments', { node: ui.outputs, update() {} });
views.register('compare', 'Compare', lazyView('compare', 'Compare two environments', () => import('./compare.js').then((m) => m.CompareView)));
views.register('promote', 'Promote', lazyView('promote', 'Promote one environment into another', () => import('./promote.js').then((m) => m.PromoteView)));
views.register('clusters', 'Clusters', lazyView('clusters', 'Flux clusters', () => import('./cluster.js').then((m) => m.ClusterView)));

const store = new Store({ onConflict: showConflict, onFailed: saveFailed, current: () => state });
const outputs = new Outputs(ui.outputs, { onJump: (f, l, c) => openFile(f, l, c), onStatus: setStatus, onNeed: fetchOutputs });
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
  return { name, preset: name, files, current: Object.keys(files).sort()[0] ?? null, env: null, view: 'envs', views: {}, history: [], pins: [], edited: false };
}

async function loadWorkspace() {
  tree++;
  let restored;
  try {
    restored = await engine.load(state.files, state.history ?? []);
  } catch (error) {
    setStatus(`The engine crashed loading the tree (${error.message}). Your files are kept; please report the input that caused it.`, true);
    return;
  }
  if (state.pins?.length) await engine.fg.call('pin', state.pins).catch(() => {});
  if (state.history?.length && !restored?.ok) {
    state.history = [];
    engine.history = [];
    setStatus(`The saved promotion history could not be read (${restored.errors[0].message}); it starts afresh.`, true);
  }
}

const isModified = (path) => state.preset in presets && state.files[path] !== presets[state.preset][path];
const modifiedPaths = () => new Set(Object.keys(state.files).filter(isModified));
function hasEdits() {
  if (!(state.preset in presets)) return state.edited === true;
  return modifiedPaths().size > 0 || Object.keys(presets[state.preset]).some((p) => !(p in state.files));
}

// Saved on every change: the write (one file for a keystroke, into
// IndexedDB; src/store.js) starts inside the edit's own event, so a reload
// that follows finds it. `changed`: the paths that changed (none: only the
// settings; null: the whole tree).
function persist(changed = []) {
  if (!saving) return;
  store.save(state, { changed }).then((outcome) => {
    if (outcome === 'saved' && saveError) { saveError = ''; showRenderStatus(); }
  });
}

// The browser refused to store (quota, or storage disabled): said at once,
// with the way out, never on a later keystroke nor by showing an older tree.
function saveFailed(error) {
  const before = saveError;
  saveError = ` Saving failed: this browser refused to store the workspace (${error?.name === 'QuotaExceededError' ? 'storage full' : 'storage full or disabled'}). Download a .zip to keep your work.`;
  setStatus(renderStatus + saveError, true);
  if (!before) {
    showBanner('This browser refused to store the workspace (storage full or disabled): your latest edits are not saved and a reload would lose them.',
      [['Download .zip', () => downloadZip()]]);
  }
}

// What an action reports (applied, tidied, copied…) stays on the status line
// until the next edit or tree: the render its change started, which lands a
// moment later, does not write over it.
let statusHeld = false;
function setStatus(text, isError = false) {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', isError);
  statusHeld = true;
}
function showRenderStatus() {
  if (statusHeld) return;
  ui.status.textContent = renderStatus + saveError;
  ui.status.classList.toggle('error', saveError !== '');
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
  const value = state.files[path];
  const binary = typeof value !== 'string';
  // A binary file is kept as bytes (generators take it as binaryData); the editor only says what it is.
  const text = binary ? `# ${path}: a binary file of ${value.length} bytes, kept as it is (not editable here).\n` : value;
  const switched = state.current !== path || editor.state.doc.toString() !== text;
  state.current = path;
  ui.editorPath.textContent = path;
  if (switched) {
    loadingFile = true;
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text }, selection: { anchor: 0 }, scrollIntoView: true });
    loadingFile = false;
  }
  editor.setReadOnly(binary);
  showPin();
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
let lint = null; // lintProblems() of lintedTree, null until the lint ran
let lintedTree = 0;
let lintTimer = 0;
let linting = false; // a lint is running on the background thread
function scheduleLint() {
  clearTimeout(lintTimer);
  lintTimer = setTimeout(runLint, LINT_DELAY);
  ui.problems.classList.add('linting'); // the findings shown are the last edit's but one
}
async function runLint() {
  // One at a time: edits made meanwhile ask again when it is done.
  if (linting) { scheduleLint(); return; }
  linting = true;
  const asked = engine.gen;
  const t0 = performance.now();
  let found, ms;
  try {
    ({ value: found, ms } = await engine.bg.timed('lint'));
  } catch (error) {
    console.warn(error);
    engine.bg.call('load', engine.files, []).catch(() => {});
    return;
  } finally {
    linting = false;
  }
  if (asked !== engine.gen) return; // the tree changed meanwhile: a newer lint is scheduled
  ms ??= performance.now() - t0;
  const before = lintFiles().join('\n');
  lint = lintProblems(found);
  lintedTree = tree;
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

// Renders every environment on the engine's thread. One render at a time:
// edits made while one runs ask for another, and the reply of a render made
// for an older tree is dropped (never shown), so a fast typist on a big
// repository sees the outputs of what they typed last, as soon as the engine
// can make them. Resolves when a render of the current tree is shown.
let rendering = false;
let renderAgain = false;
let renderWaiters = [];
let byPath = new Map(); // the full results the fg thread last posted, by environment
let edit = null; // {t0, save, key} of the last edit, for the timings
function render() {
  const done = new Promise((resolve) => renderWaiters.push(resolve));
  if (rendering) { renderAgain = true; return done; }
  rendering = true;
  renderAgain = false;
  const asked = engine.gen;
  engine.fg.timed('renderAll', wantedPaths(), state.pins ?? []).then(({ value, ms }) => {
    // Unchanged outputs come without their text (src/worker.js): take ours.
    const full = value.map((r) => {
      if (!r.same) return r;
      const { same, ...rest } = r;
      const before = byPath.get(r.path);
      return { ...rest, ...(before?.ok ? { output: before.output } : { errors: before?.errors ?? [] }) };
    });
    byPath = new Map(full.map((r) => [r.path, r]));
    rendering = false;
    if (renderAgain || asked !== engine.gen) { render(); return; }
    show(full, ms);
  }, async (error) => {
    // A panic in the engine: a bug. Show it, keep the edits, start afresh.
    console.warn(error);
    rendering = false;
    setStatus(`The engine crashed (${error.message ?? error}). Your edits are kept; please report the input that caused it.`, true);
    if (error instanceof EngineCrash) await engine.reload();
    byPath = new Map();
    for (const resolve of renderWaiters.splice(0)) resolve();
  });
  return done;
}

/** The environments whose outputs the page shows now: panels near the screen, the views' pairs, the selected one. */
function wantedPaths() {
  const wanted = new Set(outputs.visiblePaths());
  if (state.env) wanted.add(state.env);
  for (const v of ['compare', 'promote']) {
    const s = state.views[v];
    if (views.active === v && s) { if (s.from) wanted.add(s.from); if (s.to) wanted.add(s.to); }
  }
  return [...wanted];
}

/** Panels that came into view ask for the outputs the engine kept back. */
async function fetchOutputs(paths) {
  const asked = paths.filter((p) => byPath.get(p)?.deferred);
  if (!asked.length) return;
  for (const p of asked) byPath.get(p).deferred = 'asked';
  const got = await engine.fg.call('getOutputs', asked).catch(() => ({}));
  for (const [path, output] of Object.entries(got)) {
    const before = byPath.get(path);
    if (!before) continue;
    const { deferred, docs, lines, ...rest } = before;
    const full = { ...rest, output };
    byPath.set(path, full);
    const i = results.findIndex((r) => r.path === path);
    if (i >= 0 && results[i].deferred) {
      results[i] = full;
      outputs.fill(outputs.panels.get(path), full);
    }
  }
}

function show(full, engineMs) {
  const hadErrors = problems.length;
  results = full;
  const t1 = performance.now();
  const before = outputs.key;
  outputs.update(results);
  if (outputs.key !== before) filterEnvs();
  lastPanels = performance.now() - t1;
  problems = collectProblems(results);
  if (lintedTree !== tree) lint = null; // another tree: its findings are gone
  showProblems();
  scheduleLint();
  views.refresh();
  showDiagnostics();
  if (hadErrors !== problems.length) showFiles();
  const failed = results.filter((r) => !r.ok).length;
  const n = results.length;
  renderStatus = `${n} environment${n === 1 ? '' : 's'} rendered in ${engineMs.toFixed(1)} ms` +
    (failed ? `, ${failed} with errors.` : '.');
  showRenderStatus();
  if (edit) {
    const now = performance.now();
    timings.push({ engine: engineMs, panels: lastPanels, save: edit.save, update: now - edit.t0, sinceKey: edit.key ? now - edit.key : null });
    edit = null;
  }
  for (const resolve of renderWaiters.splice(0)) resolve();
}

function onEdit(text) {
  if (loadingFile || state.current == null || typeof state.files[state.current] !== 'string') return;
  const t0 = performance.now();
  const path = state.current;
  const wasModified = isModified(path);
  state.files[path] = text;
  state.edited = true;
  statusHeld = false;
  engine.change({ [path]: text });
  const s0 = performance.now();
  persist([path]);
  edit = { t0, save: performance.now() - s0, key: lastKey };
  render();
  if (wasModified !== isModified(path)) showFiles();
}

function renameFile(path) {
  const answer = prompt(`New path for ${path}:`, path);
  if (answer == null || answer === path) return;
  const to = cleanPath(answer);
  if (!to) { setStatus(`"${answer}" is not a path inside the tree.`, true); return; }
  if (to in state.files && !confirm(`${to} exists. Replace it?`)) return;
  state.files[to] = state.files[path];
  delete state.files[path];
  engine.change({ [path]: null, [to]: state.files[to] });
  state.edited = true;
  if (state.current === path) state.current = to;
  persist([path, to]);
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
    engine.change({ [path]: '' });
    state.edited = true;
    persist([path]);
  }
  render();
  openFile(path);
}

function deleteFile(path = state.current) {
  if (path == null || !confirm(`Delete ${path}?`)) return;
  delete state.files[path];
  engine.change({ [path]: null });
  state.edited = true;
  persist([path]);
  render();
  if (state.current === path) {
    const next = Object.keys(state.files).sort()[0];
    if (next) openFile(next);
    else showNoFile();
  }
  persist();
  showFiles();
}

/** Replaces the whole tree (a preset, a zip, another tab's copy); resolves once it is shown. */
async function replaceTree(next, { save = true } = {}) {
  state = {
    name: next.name ?? next.preset ?? state?.name ?? 'workspace',
    preset: next.preset ?? null, files: next.files, current: next.current, env: next.env ?? null,
    view: next.view ?? 'envs', views: next.views ?? {}, history: next.history ?? [],
    pins: next.pins ?? [], edited: next.edited === true,
  };
  views.active = state.view; // shown by the render below
  statusHeld = false;
  if (!(state.current in state.files)) state.current = Object.keys(state.files).sort()[0] ?? null;
  ui.preset.value = state.preset in presets ? state.preset : '';
  await loadWorkspace();
  const shown = render();
  if (state.current) openFile(state.current);
  else showNoFile();
  showFiles();
  if (save) {
    saving = true;
    lastSave = store.save(state, { changed: null, force: true });
  }
  await shown;
  views.show(state.view);
  $('env-tools').hidden = views.active !== 'envs';
  focusEnv(state.env);
  showWorkspaces();
}

/**
 * The engine changed files itself (a promotion applied or reverted): copy
 * them into the page's tree, save, re-render, and keep the history.
 * `paths` are the engine's (absolute).
 */
async function filesChanged(paths) {
  const texts = await engine.pull(paths);
  for (const p of paths) {
    const path = displayPath(p);
    const text = texts[p];
    if (text == null) delete state.files[path];
    else state.files[path] = text;
  }
  state.history = await engine.fg.call('historyState');
  state.edited = true;
  engine.history = state.history;
  persist(paths.map(displayPath));
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
  if (url.length > MAX_LINK) {
    // A longer link would be cut or refused when opened: never hand one out.
    showBanner(`This tree is too large for a link: it would be ${(url.length / 2 ** 20).toFixed(1)} MB, and Chromium opens links of at most ${(MAX_LINK / 2 ** 20).toFixed(0)} MB. Download a .zip to share it instead.`,
      [['Download .zip', () => downloadZip()]]);
    return;
  }
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

// Uploads keep every file: text as text, anything else as bytes, up to
// LIMITS (src/zip.js); what passes a limit is listed by name with the reason.
// Version-control and package folders are skipped and counted.
const SKIP = /(^|\/)(\.git|node_modules)(\/|$)/;
const skipName = (path) => path.match(SKIP)?.[2] ?? null;

/**
 * [{path, file}] from an upload (files of a folder, or one .zip) →
 * {files: {path: text | bytes}, skipped: [{path, reason}], ignored: {'.git': n, node_modules: n}}.
 */
async function readUploads(entries, progress) {
  const files = {};
  const skipped = [];
  const ignored = {};
  const ignore = (path) => { const d = skipName(path); if (d) ignored[d] = (ignored[d] ?? 0) + 1; return d != null; };
  let total = 0;
  let read = 0;
  const batch = [];
  // Many small reads at once: one at a time, each waits for the browser's file thread.
  const flush = async () => {
    const values = await Promise.all(batch.map(({ file }) => file.arrayBuffer()));
    batch.forEach(({ path }, k) => { files[path] = fileValue(new Uint8Array(values[k])); });
    read += batch.length;
    batch.length = 0;
    await progress(`Reading the upload: ${read} of ${entries.length} files…`);
  };
  for (const { path, file } of entries) {
    if (ignore(path)) continue;
    if (entries.length === 1 && /\.zip$/i.test(file.name)) {
      if (file.size > LIMITS.workspace) throw new Error(`${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MiB, over the ${LIMITS.workspace / 2 ** 20} MiB limit for a workspace`);
      const zip = await readZipEntries(await file.arrayBuffer(), {
        keep: (p) => !ignore(p),
        onProgress: (done, count) => progress(`Reading ${file.name}: ${done} of ${count} entries…`),
      });
      Object.assign(files, zip.files);
      skipped.push(...zip.skipped);
      continue;
    }
    if (file.size > LIMITS.file) { skipped.push({ path, reason: `${(file.size / 2 ** 20).toFixed(1)} MiB, over the ${LIMITS.file / 2 ** 20} MiB limit for a file` }); continue; }
    if (total + file.size > LIMITS.workspace) { skipped.push({ path, reason: `the workspace would pass its ${LIMITS.workspace / 2 ** 20} MiB limit` }); continue; }
    total += file.size;
    batch.push({ path, file });
    if (batch.length === 128) await flush();
  }
  await flush();
  return { files: stripCommonFolder(files), skipped, ignored };
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

/** Shows `text` in the status line and lets the page paint it. */
function progress(text) {
  setStatus(text);
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The name an upload's workspace gets: its folder's or zip's name. */
function uploadName(entries) {
  const first = entries[0];
  const name = first.file.name.toLowerCase().endsWith('.zip') && entries.length === 1
    ? first.file.name.replace(/\.zip$/i, '')
    : first.path.split('/')[0] || 'upload';
  return name.slice(0, 80) || 'upload';
}

/** The kustomization file of the first environment (what to open after an upload). */
function firstKustomization() {
  for (const r of results) {
    const dir = displayPath(r.path);
    for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
      const path = dir ? `${dir}/${name}` : name;
      if (path in state.files) return path;
    }
  }
  return null;
}

let lastSave = Promise.resolve('saved'); // the last whole-tree save
let lastUpload = null; // {name, files, skipped, ignored, readMs, renderMs}: for the tests and the measure script

async function upload(entries) {
  if (!entries.length) return;
  const t0 = performance.now();
  try {
    await progress(`Reading the upload (${entries.length} file${entries.length === 1 ? '' : 's'})…`);
    const { files, skipped, ignored } = await readUploads(entries, progress);
    const n = Object.keys(files).length;
    if (!n) { setStatus(skipped.length ? `Nothing could be loaded: ${skipped.map((s) => `${s.path} (${s.reason})`).join('; ')}` : 'The upload held no files.', true); return; }
    const name = uploadName(entries);
    const known = (await store.list()).find((w) => w.name === name);
    const editedThere = state.name === name ? hasEdits() : known?.edited === true;
    if (editedThere && !confirm(`Replace the workspace "${name}" with the ${n} uploaded files? Its edits will be lost.`)) return;
    const readMs = performance.now() - t0;
    await progress(`Rendering ${n} files…`);
    const t1 = performance.now();
    await replaceTree({ name, preset: null, files, current: null, edited: false });
    const renderMs = performance.now() - t1;
    const open = firstKustomization();
    if (open) openFile(open);
    // Until the tree is stored a reload would not find it: say so, and wait.
    setStatus(`Saving the ${n} files in this browser…`);
    const t2 = performance.now();
    await lastSave;
    lastUpload = { seq: (lastUpload?.seq ?? 0) + 1, name, files: n, skipped, ignored, readMs, renderMs, saveMs: performance.now() - t2 };
    const skips = Object.entries(ignored).sort(([a], [b]) => a.localeCompare(b)).map(([d, k]) => `${d}/ (${k} file${k === 1 ? '' : 's'})`);
    setStatus(`Loaded ${n} files into the workspace "${name}" in ${((readMs + renderMs) / 1000).toFixed(1)} s` +
      (skips.length ? `; skipped ${skips.join(' and ')}` : '') +
      (skipped.length ? `; ${skipped.length} not loaded (listed above).` : '.') + saveError, saveError !== '');
    if (skipped.length) {
      showBanner(`${skipped.length} file${skipped.length === 1 ? ' was' : 's were'} not loaded:`, [],
        el('ul', { className: 'skipped' }, ...skipped.map((s) => el('li', {}, el('code', {}, s.path), `: ${s.reason}`))));
    }
    showWorkspaces();
  } catch (error) {
    setStatus(`Could not read the upload: ${error.message}`, true);
  }
}

/** The files and folders dropped on the page → [{path, file}]. */
async function droppedEntries(items) {
  const out = [];
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      out.push({ path: prefix + entry.name, file });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  const roots = [...items].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  for (const root of roots) await walk(root, '');
  return out;
}

function showConflict(theirs) {
  showBanner('Another tab saved a different version of this workspace. Saving here is paused until you choose.', [
    ['Load the other tab’s version', () => replaceTree(theirs)],
    ['Keep mine (replace theirs)', () => { store.save(state, { changed: null, force: true }); setStatus('Your version is saved.'); }],
  ]);
}

/** The workspace picker: every saved workspace, the one open first. */
async function showWorkspaces() {
  const list = await store.list();
  if (!list.some((w) => w.name === state.name)) list.push({ name: state.name, count: Object.keys(state.files).length });
  list.sort((a, b) => a.name.localeCompare(b.name));
  const select = $('workspace');
  select.replaceChildren(...list.map((w) => el('option', { value: w.name }, `${w.name} (${w.count} file${w.count === 1 ? '' : 's'})`)));
  select.value = state.name;
}

/** Opens saved workspace `name` (this one is saved already: nothing is lost). */
async function switchWorkspace(name) {
  if (name === state.name) return;
  const saved = await store.load(name);
  if (!saved) { setStatus(`The workspace "${name}" is no longer saved in this browser.`, true); showWorkspaces(); return; }
  await replaceTree(saved, { save: false });
  setStatus(`${renderStatus} Workspace "${name}".`);
  showWorkspaces();
}

// Pins: any kustomization directory can be shown as an environment (the
// engine's classification may leave out a base or a component someone works
// on). Saved with the workspace.
const KUSTOMIZATION_FILE = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;
function kustomizationDir(path) {
  if (!path) return null;
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const has = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((n) => (dir ? `${dir}/${n}` : n) in state.files);
  return has ? `/${dir}` : null;
}
function showPin() {
  const dir = kustomizationDir(state.current);
  const pin = $('pin');
  pin.hidden = !dir;
  if (!dir) return;
  const pinned = (state.pins ?? []).includes(dir);
  pin.textContent = pinned ? 'Unpin' : 'Pin as environment';
  pin.title = pinned ? `Stop showing ${displayPath(dir) || '/'} as an environment` : `Show ${displayPath(dir) || '/'} as an environment`;
  pin.setAttribute('aria-pressed', String(pinned));
}
async function togglePin() {
  const dir = kustomizationDir(state.current);
  if (!dir) return;
  const pins = new Set(state.pins ?? []);
  if (pins.has(dir)) pins.delete(dir); else pins.add(dir);
  state.pins = [...pins].sort();
  persist();
  await engine.fg.call('pin', state.pins).catch(() => {});
  engine.gen++; // the environments changed: a render in flight is stale
  showPin();
  await render();
  setStatus(pins.has(dir) ? `${displayPath(dir) || '/'} is pinned as an environment.` : `${displayPath(dir) || '/'} is unpinned.`);
}

/** Shows the panels whose environment path holds every word of the filter. */
function filterEnvs() {
  const words = $('env-filter').value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  let total = 0;
  let heading = null;
  let any = false;
  for (const node of ui.outputs.children) {
    if (node.matches('h2.group-name')) {
      if (heading) heading.hidden = !any;
      heading = node;
      any = false;
    } else if (node.matches('article.env')) {
      total++;
      const hit = words.every((w) => node.dataset.env.toLowerCase().includes(w));
      node.hidden = !hit;
      if (hit) { shown++; any = true; }
    }
  }
  if (heading) heading.hidden = !any;
  const note = $('env-filter-note');
  note.textContent = words.length ? `${shown} of ${total} environments` : '';
}

function showPresets() {
  const names = Object.keys(presets).sort((a, b) => (a === DEFAULT_PRESET ? -1 : b === DEFAULT_PRESET ? 1 : a.localeCompare(b)));
  ui.preset.replaceChildren(el('option', { value: '', disabled: true }, '(your files)'), ...names.map((name) => el('option', { value: name }, name)));
}

/** The state to start from: a share link, the saved workspace, or the default preset. */
async function initialState() {
  await store.open();
  const saved = await store.load();
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
        ['Keep this one (replaces my saved workspace)', () => { saving = true; store.save(state, { changed: null, force: true }); }],
        ['Back to my workspace', async () => { saving = true; replaceTree((await store.load()) ?? presetState(DEFAULT_PRESET), { save: false }); }],
      ]));
    }
    return { ...shared, name: saved?.name ?? shared.preset ?? 'workspace', edited: true };
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
  for (const id of ['upload-zip', 'upload-folder']) {
    $(id).addEventListener('change', (e) => {
      const entries = [...e.target.files].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
      e.target.value = '';
      upload(entries);
    });
  }
  // A folder or a .zip dropped anywhere on the page.
  document.addEventListener('dragover', (e) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    document.body.classList.add('dropping');
  });
  document.addEventListener('dragleave', (e) => { if (!e.relatedTarget) document.body.classList.remove('dropping'); });
  document.addEventListener('drop', async (e) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    document.body.classList.remove('dropping');
    const entries = await droppedEntries(e.dataTransfer.items);
    upload(entries.length ? entries : [...e.dataTransfer.files].map((file) => ({ path: file.name, file })));
  });
  $('workspace').addEventListener('change', () => switchWorkspace($('workspace').value));
  $('pin').addEventListener('click', togglePin);
  $('env-filter').addEventListener('input', filterEnvs);
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
  engine = new Engine();
  showPresets();
  wire();
  const start = await initialState();
  await replaceTree(start, { save: false });
  performance.mark('overlay:first-render'); // read by tests/browser/measure.mjs
  document.body.dataset.ready = 'true';
  registerOffline();
  // For tests and tests/browser/measure.mjs.
  window.playground = { editor, outputs, views, timings, state: () => state, openFile, engine: () => engine, rendered: () => render(),
    saved: () => store.read(store.name), lastUpload: () => lastUpload, store };
}

main().catch((error) => {
  console.error(error);
  setStatus(`The playground could not start: ${error}`, true);
  ui.outputs.replaceChildren(el('p', { className: 'empty' }, 'The engine did not load; see the status line above.'));
});
