// Overlay Playground: wires the editor, the file list and the environment
// panels to the engine (a wasm `Workspace`). Every edit re-renders every
// environment synchronously; the engine is fast enough for that.

import init, { Workspace } from '../pkg/overlay.js';
import presets from '../pkg/presets.js';
import { el } from './dom.js';
import { revealPosition, yamlTabs } from './editor.js';
import { renderFiles } from './files.js';
import { Outputs } from './outputs.js';
import * as store from './store.js';

const DEFAULT_PRESET = 'fleet-infra';

const $ = (id) => document.getElementById(id);
const ui = {
  status: $('status'),
  files: $('files'),
  editor: $('editor'),
  editorPath: $('editor-path'),
  outputs: $('outputs'),
  reset: $('reset'),
  preset: $('preset'),
  newFile: $('new-file'),
  deleteFile: $('delete-file'),
};

/** {preset, files: {path: text}, current} — what the user works on. */
let state = null;
let workspace = null;
let storageWarning = '';
const outputs = new Outputs(ui.outputs, (file, line, column) => openFile(file, line, column));

function presetState(name) {
  const files = { ...presets[name] };
  return { preset: name, files, current: Object.keys(files).sort()[0] ?? null };
}

function loadWorkspace() {
  if (workspace) {
    try {
      workspace.free();
    } catch {
      // a workspace the engine crashed in cannot always be freed; drop it
    }
  }
  workspace = new Workspace();
  for (const [path, text] of Object.entries(state.files)) workspace.setFile(path, text);
}

function isModified(path) {
  return state.files[path] !== presets[state.preset]?.[path];
}

function modifiedPaths() {
  return new Set(Object.keys(state.files).filter(isModified));
}

/** Whether the tree differs from its preset: a file changed, added or deleted. */
function hasEdits() {
  return modifiedPaths().size > 0 || Object.keys(presets[state.preset] ?? {}).some((p) => !(p in state.files));
}

function persist() {
  storageWarning = store.save(state) ? '' : ' Your edits could not be saved in this browser.';
}

function setStatus(text, isError = false) {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', isError);
}

function showFiles() {
  renderFiles(ui.files, {
    paths: Object.keys(state.files),
    current: state.current,
    modified: modifiedPaths(),
    onOpen: (path) => openFile(path),
  });
}

function openFile(path, line, column) {
  if (!(path in state.files)) {
    setStatus(`No file ${path} in the tree.`, true);
    return;
  }
  state.current = path;
  ui.editorPath.textContent = path;
  ui.editor.disabled = false;
  ui.editor.value = state.files[path];
  ui.deleteFile.disabled = false;
  persist();
  showFiles();
  if (line) revealPosition(ui.editor, line, column);
  else ui.editor.scrollTop = 0;
}

function showNoFile() {
  state.current = null;
  ui.editorPath.textContent = 'No file open';
  ui.editor.value = '';
  ui.editor.disabled = true;
  ui.deleteFile.disabled = true;
}

function render() {
  const started = performance.now();
  let results;
  try {
    results = workspace.renderAll();
  } catch (error) {
    // A panic in the engine: a bug. Show it, keep the edits, start afresh.
    console.error(error);
    setStatus(`The engine crashed (${error}). Your edits are kept; please report the input that caused it.`, true);
    try {
      loadWorkspace();
    } catch {
      // the next edit will tell
    }
    return;
  }
  const ms = performance.now() - started;
  outputs.update(results);
  const failed = results.filter((r) => !r.ok).length;
  const n = results.length;
  setStatus(
    `${n} environment${n === 1 ? '' : 's'} rendered in ${ms.toFixed(1)} ms` +
      (failed ? `, ${failed} with errors.` : '.') + storageWarning,
    storageWarning !== '',
  );
}

function onEdit() {
  const path = state.current;
  if (path == null) return;
  const wasModified = isModified(path);
  state.files[path] = ui.editor.value;
  workspace.setFile(path, ui.editor.value);
  persist();
  render();
  if (wasModified !== isModified(path)) showFiles();
}

/** `./apps//x.yaml` → `apps/x.yaml`; null for paths that leave the tree. */
function cleanPath(input) {
  const parts = [];
  for (const part of input.trim().split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return null;
    parts.push(part);
  }
  return parts.length ? parts.join('/') : null;
}

function newFile() {
  const folder = state.current?.includes('/') ? state.current.slice(0, state.current.lastIndexOf('/') + 1) : '';
  const answer = prompt('Path of the new file (folders are made as needed):', `${folder}new.yaml`);
  if (answer == null) return;
  const path = cleanPath(answer);
  if (!path) {
    setStatus(`"${answer}" is not a path inside the tree.`, true);
    return;
  }
  if (!(path in state.files)) {
    state.files[path] = '';
    workspace.setFile(path, '');
  }
  openFile(path);
  render();
}

function deleteFile() {
  const path = state.current;
  if (path == null || !confirm(`Delete ${path}?`)) return;
  delete state.files[path];
  workspace.removeFile(path);
  const next = Object.keys(state.files).sort()[0];
  if (next) openFile(next);
  else showNoFile();
  persist();
  showFiles();
  render();
}

/** Replaces the tree with preset `name`, after asking when that loses edits. */
function loadPreset(name) {
  if (hasEdits() && !confirm(`Discard your edits and load the preset "${name}"?`)) {
    ui.preset.value = state.preset;
    return;
  }
  store.clear();
  state = presetState(name);
  ui.preset.value = name;
  loadWorkspace();
  openFile(state.current);
  render();
}

function showPresets() {
  const names = Object.keys(presets).sort((a, b) => (a === DEFAULT_PRESET ? -1 : b === DEFAULT_PRESET ? 1 : a.localeCompare(b)));
  ui.preset.replaceChildren(...names.map((name) => el('option', { value: name }, name)));
  ui.preset.value = state.preset;
}

async function main() {
  await init();
  const saved = store.load();
  state = saved && presets[saved.preset] ? saved : presetState(DEFAULT_PRESET);
  loadWorkspace();
  yamlTabs(ui.editor);
  ui.editor.addEventListener('input', onEdit);
  ui.reset.addEventListener('click', () => loadPreset(state.preset));
  ui.preset.addEventListener('change', () => loadPreset(ui.preset.value));
  showPresets();
  ui.newFile.addEventListener('click', newFile);
  ui.deleteFile.addEventListener('click', deleteFile);
  const first = state.current ?? Object.keys(state.files).sort()[0];
  if (first) openFile(first);
  else showNoFile();
  render();
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  console.error(error);
  setStatus(`The playground could not start: ${error}`, true);
  ui.outputs.replaceChildren(el('p', { className: 'empty' }, 'The engine did not load; see the status line above.'));
});
