// The engine, off the main thread: two workers (src/worker.js) with the same
// tree. `fg` answers what an edit waits for (renders, the view's diff or
// promotion, the history and its changes); `bg` what may take seconds on a
// big repository (the lint, the Flux clusters). A keystroke only posts the
// changed file to both; the page never blocks on either.
//
// `gen` counts tree changes: a reply computed for an older tree is stale and
// the caller drops it (`engine.gen !== asked`).

export class EngineCrash extends Error {}

const WASM = new URL('../pkg/overlay_bg.wasm', import.meta.url);

/** The engine's module, compiled once (streaming, from the page's preload) for both threads. */
async function compile() {
  const response = await fetch(WASM);
  if (!response.ok) throw new Error(`${WASM.pathname}: HTTP ${response.status}`);
  if (response.headers.get('Content-Type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

class Thread {
  constructor(name, module) {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name });
    module.then((m) => this.worker.postMessage({ op: 'init', args: [m] }));
    this.next = 1;
    this.waiting = new Map();
    this.worker.onmessage = (e) => {
      const { id, ok, value, error, ms } = e.data;
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      if (ok) w.resolve(value, ms);
      else w.reject(new EngineCrash(error));
    };
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      for (const w of this.waiting.values()) w.reject(new EngineCrash(e.message ?? 'the engine worker failed'));
      this.waiting.clear();
    };
  }

  /** Posts op(args); resolves with {value, ms}. */
  timed(op, ...args) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: (value, ms) => resolve({ value, ms }), reject });
      this.worker.postMessage({ id, op, args });
    });
  }

  async call(op, ...args) {
    return (await this.timed(op, ...args)).value;
  }
}

export class Engine {
  constructor() {
    // A module that does not load fails every call: the page says so.
    this.ready = compile();
    const module = this.ready.catch(() => new Promise(() => {}));
    this.fg = new Thread('overlay-engine', module);
    this.bg = new Thread('overlay-engine-background', module);
    this.gen = 0;
    this.files = {};
    this.history = [];
  }

  /** Loads the whole tree into both threads; resolves with restoreHistory's reply. */
  async load(files, history = []) {
    this.gen++;
    this.files = files;
    this.history = history;
    // Not waiting for bg: it may be in the middle of a long lint of the
    // previous tree; it takes the new one when that is done.
    this.bg.call('load', files, []).catch(() => {});
    return this.fg.call('load', files, history);
  }

  /** After a crash: the tree the page holds, again (history kept when it still reads). */
  reload() {
    return this.load(this.files, this.history).catch(() => null);
  }

  /** {path: value | null}: the page's own edits. */
  change(changes) {
    this.gen++;
    this.fg.call('change', changes).catch(() => this.reload());
    this.bg.call('change', changes).catch(() => {});
  }

  /** The engine changed `paths` itself (fg): bring bg along; resolves with their texts. */
  async pull(paths) {
    const texts = await this.fg.call('getFiles', paths);
    this.gen++;
    this.bg.call('change', texts).catch(() => {});
    return texts;
  }
}
