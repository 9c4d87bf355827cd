// The engine's thread: a Web Worker holding one wasm `Workspace`. The page
// (src/engine.js) keeps two of these: one for what a keystroke waits for
// (renders, the diff and promotion of the view on screen, the history) and
// one for what may take seconds on a big repository (the lint, the Flux
// clusters), so that a lint never delays a render.
//
// Messages: {id, op, args}; replies {id, ok: true, value, ms} or
// {id, ok: false, error} when the engine panicked (then the workspace is
// gone: the page loads the tree again).

import init, { Workspace } from '../pkg/overlay.js';

// The page compiles the module once and hands it to both threads (the first
// message); each instantiates it.
let started;
const ready = new Promise((resolve) => { started = resolve; });
let ws = null;
// renderAll's last text per environment as the page has it: unchanged
// outputs are not posted again (an argo-cd environment is megabytes; cloning
// it per keystroke would cost the page more than the render). `latest`: every
// output of the last render, for the page to fetch when a panel comes into view.
let shown = new Map();
let latest = new Map();
// Above this many characters of changed outputs in one reply, only those the
// page shows are posted; the others come when it asks (getOutputs).
const POST_BUDGET = 2 * 1024 * 1024;
const countDocuments = (yaml) => (yaml.trim() ? 1 + (yaml.match(/^---$/gm) ?? []).length : 0);
const countLines = (text) => { let n = 1; for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++; return n; };

function fresh() {
  try { ws?.free(); } catch { /* a workspace the engine panicked in cannot always be freed */ }
  ws = new Workspace();
  shown = new Map();
  latest = new Map();
}

function put(path, value) {
  if (typeof value === 'string') ws.setFile(path, value);
  else if (typeof ws.setFileBytes === 'function') ws.setFileBytes(path, value);
  else ws.setFile(path, new TextDecoder().decode(value)); // an engine without bytes: lossy, but present
}

const ops = {
  /** Replaces the whole tree: {path: string | Uint8Array}; then the promotion history. */
  load(files, history) {
    fresh();
    for (const [path, value] of Object.entries(files)) put(path, value);
    return history?.length ? ws.restoreHistory(history) : { ok: true };
  },
  /** Changes files: {path: value | null}, null removes. */
  change(changes) {
    for (const [path, value] of Object.entries(changes)) {
      if (value == null) ws.removeFile(path);
      else put(path, value);
    }
    return null;
  },
  /**
   * Every environment; an output equal to the last one posted comes as
   * {same: true} without it. When the changed outputs are big, those not in
   * `wanted` (the panels on screen) come as {deferred: true, docs, lines}.
   */
  renderAll(wanted = null, pins = []) {
    const results = ws.renderAll();
    // Pinned directories: the engine's own pins (setPinned) where it has
    // them, else rendered here and listed after the detected environments.
    if (typeof ws.setPinned !== 'function') {
      const have = new Set(results.map((r) => r.path));
      for (const dir of pins) {
        if (have.has(dir)) continue;
        const r = ws.render(dir);
        results.push({ ...r, path: dir, name: dir.slice(dir.lastIndexOf('/') + 1) || '/', group: 'pinned' });
      }
    }
    latest = new Map(results.map((r) => [r.path, r]));
    const keyOf = (r) => (r.ok ? r.output : JSON.stringify(r.errors));
    const changed = results.filter((r) => shown.get(r.path) !== keyOf(r));
    const size = changed.reduce((n, r) => n + (r.ok ? r.output.length : 0), 0);
    const want = wanted && size > POST_BUDGET ? new Set(wanted) : null;
    return results.map((r) => {
      const key = keyOf(r);
      if (shown.get(r.path) === key) {
        const { output, errors, ...rest } = r;
        return { ...rest, same: true };
      }
      if (want && r.ok && !want.has(r.path)) {
        shown.delete(r.path);
        const { output, ...rest } = r;
        return { ...rest, deferred: true, docs: countDocuments(output), lines: countLines(output) };
      }
      shown.set(r.path, key);
      return r;
    });
  },
  /** The outputs of the last render for `paths` (panels that came into view): {path: output}. */
  getOutputs(paths) {
    const out = {};
    for (const p of paths) {
      const r = latest.get(p);
      if (!r?.ok) continue;
      shown.set(p, r.output);
      out[p] = r.output;
    }
    return out;
  },
  /** Pins `dirs` as environments (an engine with setPinned); the fallback pins at render time. */
  pin(dirs) {
    if (typeof ws.setPinned === 'function') ws.setPinned(dirs);
    return typeof ws.setPinned === 'function';
  },
  /** The texts of `paths` (after the engine changed them): {path: text | null}. */
  getFiles(paths) {
    return Object.fromEntries(paths.map((p) => [p, ws.getFile(p) ?? null]));
  },
};

self.onmessage = async (e) => {
  const { id, op, args } = e.data;
  if (op === 'init') {
    started(init({ module_or_path: args[0] }));
    return;
  }
  try {
    await ready;
    if (!ws) fresh();
    const t0 = performance.now();
    const value = op in ops ? ops[op](...args) : ws[op](...args);
    self.postMessage({ id, ok: true, value, ms: performance.now() - t0 });
  } catch (error) {
    console.warn(error);
    // A panic leaves the wasm instance unusable: start a fresh workspace;
    // the page sends the tree again.
    try { fresh(); } catch { /* the next message will tell */ }
    self.postMessage({ id, ok: false, error: String(error?.message ?? error) });
  }
};
