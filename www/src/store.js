// What survives a reload: named workspaces (a preset as edited, each
// uploaded repository), kept in IndexedDB at any size the browser allows.
// One record per workspace (its settings: preset, open file, environment,
// views, promotion history, pins) and one per file (text, or bytes for a
// binary file), so a keystroke writes one file, not the tree.
//
// Two tabs share a workspace. Each save bumps a revision, kept in
// localStorage (a few bytes, and its `storage` event tells the other tabs at
// once); a tab only writes over the revision it last read or wrote. When
// another tab wrote in between, the tab stops saving and asks the user which
// copy to keep: the last writer never silently destroys the other's work.
//
// IndexedDB commits later than the edit: a reload (or the page closing) in
// between would lose the last keystrokes. So the texts of the files written
// but not yet committed are also kept in a small synchronous journal in
// localStorage, dropped once the write committed and laid over the stored
// tree when it is read. A refusal (quota) is reported through onFailed at once.

import { cleanState, cleanPath } from './share.js';

const DB = 'overlay-playground';
const PREFIX = 'overlay-playground/';
const ACTIVE_KEY = `${PREFIX}active`;
const revKey = (name) => `${PREFIX}rev/${name}`;
const LEGACY_KEY = 'overlay-playground/v2'; // the localStorage copy of earlier versions
// One journal per tab: a tab only ever writes and drops its own.
const JOURNAL = `${PREFIX}journal/`;
const JOURNAL_MAX = 1 << 20; // characters: a bigger edit waits for IndexedDB alone

const ls = {
  get(key) { try { return localStorage.getItem(key); } catch { return null; } },
  set(key, value) { try { localStorage.setItem(key, value); return true; } catch { return false; } },
  remove(key) { try { localStorage.removeItem(key); } catch { /* nothing to remove */ } },
};
const storedRev = (name) => Number(ls.get(revKey(name)) ?? 0) || 0;

const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});
const finished = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onabort = () => reject(tx.error ?? new DOMException('aborted', 'AbortError'));
  tx.onerror = () => {}; // reported by onabort
});

function openDb() {
  const request = indexedDB.open(DB, 1);
  request.onupgradeneeded = () => {
    const db = request.result;
    db.createObjectStore('workspaces', { keyPath: 'name' });
    db.createObjectStore('files'); // key [workspace, path]
  };
  return done(request);
}

const META = ['preset', 'current', 'env', 'view', 'views', 'history', 'pins', 'edited'];
const metaOf = (name, state, rev) => {
  const m = { name, rev, updated: Date.now(), count: Object.keys(state.files).length };
  for (const k of META) m[k] = state[k] ?? null;
  return m;
};

/** A stored file value: text or bytes; anything else is not a file. */
const isFile = (v) => typeof v === 'string' || v instanceof Uint8Array;

export class Store {
  /**
   * onConflict(theirs): another tab saved a different tree over ours;
   * onFailed(error): the browser refused a write (quota, disabled);
   * current(): this tab's state (an identical save is no conflict).
   */
  constructor({ onConflict, onFailed, current }) {
    this.current = current;
    this.onConflict = onConflict;
    this.onFailed = onFailed;
    this.rev = 0;
    this.conflict = null;
    this.name = ls.get(ACTIVE_KEY) || null;
    this.db = null;
    this.failed = null; // the last refusal, until a write succeeds
    // Workspaces whose whole tree is stored: a save of a few files needs that first.
    this.complete = new Set();
    this.pending = new Map(); // path → {value, rev}: written, not yet committed (the journal)
    this.journalKey = `${JOURNAL}${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    addEventListener('storage', (e) => {
      if (!this.name || (e.key !== revKey(this.name) && e.key !== null)) return;
      if (storedRev(this.name) === this.rev) return;
      this.read(this.name).then((theirs) => {
        if (!theirs) return;
        const mine = this.current();
        if (!this.conflict && mine && sameFiles(theirs.files, mine.files)) this.rev = theirs.rev;
        else this.raise(theirs);
      });
    });
  }

  async open() {
    try {
      this.db = await openDb();
    } catch (error) {
      this.db = null;
      this.failed = error;
    }
    return this.db != null;
  }

  raise(theirs) {
    // The object onConflict was given stays the other tab's latest copy: it
    // may go on typing before the user chooses, and "load the other tab's
    // version" must load all of it, not its first save.
    if (this.conflict) { Object.assign(this.conflict, theirs); return; }
    this.conflict = theirs;
    this.onConflict(theirs);
  }

  /** Workspace `name` as saved ({…state, name, rev}), or null. */
  async read(name) {
    if (!this.db) return null;
    const tx = this.db.transaction(['workspaces', 'files'], 'readonly');
    const meta = await done(tx.objectStore('workspaces').get(name));
    if (!meta) return null;
    const range = IDBKeyRange.bound([name], [name, []]);
    const [keys, values] = await Promise.all([
      done(tx.objectStore('files').getAllKeys(range)),
      done(tx.objectStore('files').getAll(range)),
    ]);
    const files = {};
    keys.forEach(([, path], i) => { const p = cleanPath(path); if (p && isFile(values[i])) files[p] = values[i]; });
    this.complete.add(name);
    // The journal: edits whose write had not committed (a reload came first).
    const recovered = new Set();
    let journalRev = 0;
    for (const journal of journals(name).filter((j) => j.rev > (meta.rev ?? 0))) {
      journalRev = Math.max(journalRev, journal.rev);
      for (const [path, value] of Object.entries(journal.files ?? {})) {
        const p = cleanPath(path);
        if (!p) continue;
        recovered.add(p);
        if (value === null) delete files[p];
        else if (typeof value === 'string') files[p] = value;
      }
      if (typeof journal.current === 'string') meta.current = journal.current;
    }
    const clean = cleanState({ ...meta, files: {} });
    return {
      ...clean, files, name,
      current: meta.current in files ? meta.current : null,
      history: Array.isArray(meta.history) ? meta.history : [],
      pins: Array.isArray(meta.pins) ? meta.pins.filter((p) => typeof p === 'string') : [],
      edited: meta.edited === true,
      rev: storedRev(name),
      recovered: [...recovered],
      journalRev,
    };
  }

  /** The active workspace as saved (and adopts its revision), or null. */
  async load(name = this.name) {
    let saved = name ? await this.read(name) : null;
    if (!saved && !name) saved = await this.migrate();
    if (saved?.recovered.length) {
      // Edits a closed tab had journaled but not committed: store them now,
      // so that every tab reads them (the journal is dropped below).
      await this.write(saved.name, saved, saved.recovered, Math.max(saved.journalRev, saved.rev));
    }
    if (saved) {
      for (const key of journalKeys()) {
        if (key === this.journalKey) continue;
        try { const j = JSON.parse(ls.get(key)); if (j?.name === saved.name && j.rev <= Math.max(saved.journalRev, saved.rev)) ls.remove(key); } catch { ls.remove(key); }
      }
    }
    this.rev = saved?.rev ?? 0;
    this.conflict = null;
    if (saved) this.activate(saved.name);
    return saved && Object.keys(saved.files).length ? saved : null;
  }

  /** The localStorage copy of earlier versions, moved into IndexedDB once. */
  async migrate() {
    const raw = ls.get(LEGACY_KEY);
    if (!raw) return null;
    try {
      const json = JSON.parse(raw);
      const state = { ...cleanState(json), history: Array.isArray(json.history) ? json.history : [] };
      const name = state.preset || 'workspace';
      if ((await this.write(name, state, null, 1)) !== 'saved') return null;
      ls.set(revKey(name), '1');
      ls.remove(LEGACY_KEY);
      ls.remove(`${LEGACY_KEY}/rev`);
      return this.read(name);
    } catch {
      return null;
    }
  }

  activate(name) {
    this.name = name;
    ls.set(ACTIVE_KEY, name);
  }

  /** [{name, preset, count, updated}] of every saved workspace. */
  async list() {
    if (!this.db) return [];
    const all = await done(this.db.transaction('workspaces').objectStore('workspaces').getAll());
    return all.map(({ name, preset, count, updated, edited }) => ({ name, preset, count, updated, edited: edited === true }));
  }

  async remove(name) {
    if (!this.db) return;
    const tx = this.db.transaction(['workspaces', 'files'], 'readwrite');
    tx.objectStore('workspaces').delete(name);
    tx.objectStore('files').delete(IDBKeyRange.bound([name], [name, []]));
    await finished(tx);
    ls.remove(revKey(name));
  }

  /**
   * Saves `state` as workspace `state.name`: `changed` lists the paths to
   * write (null: the whole tree, replacing what was there). Resolves to
   * 'saved', 'conflict' (another tab saved since; not written) or 'failed'
   * (the browser refused: onFailed was told). The conflict check and the
   * start of the write happen before it returns.
   */
  save(state, { changed = null, force = false } = {}) {
    const name = state.name;
    if (!name) return Promise.resolve('failed');
    if (name !== this.name) { this.activate(name); this.rev = storedRev(name); this.conflict = null; force = true; }
    if (!force) {
      if (this.conflict) return Promise.resolve('conflict');
      const stored = storedRev(name);
      if (stored !== 0 && stored !== this.rev) {
        return this.read(name).then((theirs) => {
          if (theirs) { this.raise(theirs); return 'conflict'; }
          return this.save(state, { changed, force: true });
        });
      }
    }
    if (!this.complete.has(name)) changed = null;
    const rev = Math.max(this.rev, storedRev(name)) + 1;
    this.rev = rev;
    this.conflict = null;
    ls.set(revKey(name), String(rev));
    this.journal(name, state, changed, rev);
    return this.write(name, state, changed, rev).then((outcome) => {
      if (outcome === 'saved') this.committed(name, rev);
      return outcome;
    });
  }

  /** Notes `changed` (text files) in the journal until their write commits. */
  journal(name, state, changed, rev) {
    if (changed == null) { this.pending.clear(); ls.remove(this.journalKey); return; }
    for (const path of changed) {
      const value = path in state.files ? state.files[path] : null;
      if (value === null || typeof value === 'string') this.pending.set(path, { value, rev });
    }
    const files = {};
    let size = 0;
    for (const [path, { value }] of this.pending) { files[path] = value; size += value?.length ?? 0; }
    if (!this.pending.size) return;
    if (size > JOURNAL_MAX || !ls.set(this.journalKey, JSON.stringify({ name, rev, current: state.current, files }))) ls.remove(this.journalKey);
  }

  committed(name, rev) {
    for (const [path, p] of this.pending) if (p.rev <= rev) this.pending.delete(path);
    if (!this.pending.size) ls.remove(this.journalKey);
  }

  write(name, state, changed, rev) {
    if (!this.db) {
      const error = this.failed ?? new Error('IndexedDB is unavailable');
      this.onFailed?.(error);
      return Promise.resolve('failed');
    }
    let tx;
    try {
      tx = this.db.transaction(['workspaces', 'files'], 'readwrite', { durability: 'relaxed' });
      const files = tx.objectStore('files');
      tx.objectStore('workspaces').put(metaOf(name, state, rev));
      if (changed == null) {
        this.complete.add(name);
        files.delete(IDBKeyRange.bound([name], [name, []]));
        for (const [path, value] of Object.entries(state.files)) files.put(value, [name, path]);
      } else {
        for (const path of changed) {
          if (path in state.files) files.put(state.files[path], [name, path]);
          else files.delete([name, path]);
        }
      }
    } catch (error) {
      tx?.abort?.();
      this.failed = error;
      this.onFailed?.(error);
      return Promise.resolve('failed');
    }
    return finished(tx).then(() => {
      this.failed = null;
      return 'saved';
    }, (error) => {
      this.failed = error;
      this.onFailed?.(error);
      return 'failed';
    });
  }
}

function journalKeys() {
  const keys = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key?.startsWith(JOURNAL)) keys.push(key);
    }
  } catch { /* no localStorage: no journal */ }
  return keys;
}

/** The journals of every tab for workspace `name`, oldest first. */
function journals(name) {
  const out = [];
  try {
    for (const key of journalKeys()) {
      try {
        const j = JSON.parse(localStorage.getItem(key));
        if (j?.name === name && typeof j.rev === 'number') out.push(j);
      } catch { /* a damaged journal: the stored tree alone */ }
    }
  } catch { /* no localStorage: no journal */ }
  return out.sort((a, b) => a.rev - b.rev);
}

function sameFiles(a, b) {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const x = a[k], y = b[k];
    if (typeof x === 'string' || typeof y === 'string') { if (x !== y) return false; continue; }
    if (!(y instanceof Uint8Array) || x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
  }
  return true;
}
