// What survives a reload: the files as edited, which preset they came from,
// and the file open in the editor, kept in localStorage as one JSON value.
//
// Two tabs share that value. Each save carries a revision number; a tab only
// writes over the revision it last read or wrote. When another tab wrote in
// between (seen through the `storage` event, or at save time) the tab stops
// saving and asks the user which copy to keep: the last writer never
// silently destroys the other's work.

import { cleanState } from './share.js';

const KEY = 'overlay-playground/v2';
// The revision has a key of its own: checking it before every save costs a
// short read, not a parse of the whole tree.
const REV_KEY = `${KEY}/rev`;
const storedRev = () => {
  try { return Number(localStorage.getItem(REV_KEY) ?? 0) || 0; } catch { return 0; }
};

function read() {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (!raw || typeof raw !== 'object') return null;
    const state = cleanState(raw);
    // The promotion history: the engine checks it when it takes it back.
    const history = Array.isArray(raw.history) ? raw.history : [];
    return { ...state, history, rev: storedRev() };
  } catch {
    return null;
  }
}

export class Store {
  /**
   * onConflict(theirs) is called once when another tab saved a different
   * tree over ours (`theirs` is kept up to date with its later saves);
   * current() is this tab's state (an identical save, such as a second tab
   * opening the same workspace, is no conflict).
   */
  constructor({ onConflict, current }) {
    this.current = current;
    this.rev = 0;
    this.conflict = null;
    this.onConflict = onConflict;
    addEventListener('storage', (e) => {
      if (e.key !== REV_KEY && e.key !== null) return;
      if (storedRev() === this.rev) return;
      const theirs = read();
      if (!theirs) return;
      const mine = this.current();
      if (!this.conflict && mine && JSON.stringify(theirs.files) === JSON.stringify(mine.files)) this.rev = theirs.rev;
      else this.raise(theirs);
    });
  }

  raise(theirs) {
    // The object onConflict was given stays the other tab's latest copy: it
    // may go on typing (a save per keystroke) before the user chooses, and
    // "load the other tab's version" must load all of it, not its first save.
    if (this.conflict) { Object.assign(this.conflict, theirs); return; }
    this.conflict = theirs;
    this.onConflict(theirs);
  }

  /** The saved state (and adopts its revision), or null. */
  load() {
    const saved = read();
    this.rev = saved?.rev ?? 0;
    this.conflict = null;
    return saved && Object.keys(saved.files).length ? saved : null;
  }

  /** A saved workspace exists (whether or not this tab owns it). */
  hasSaved() {
    return read() !== null;
  }

  /**
   * Saves `state`. Returns 'saved', 'conflict' (another tab saved since; not
   * written) or 'failed' (the browser refused: storage full or disabled).
   * `force` writes over the other tab's copy (the user chose so).
   */
  save(state, { force = false } = {}) {
    if (!force) {
      if (this.conflict) return 'conflict';
      const stored = storedRev();
      if (stored !== 0 && stored !== this.rev) {
        const theirs = read();
        if (theirs) { this.raise(theirs); return 'conflict'; }
      }
    }
    const rev = Math.max(this.rev, storedRev()) + 1;
    try {
      localStorage.setItem(KEY, JSON.stringify({
        preset: state.preset, files: state.files, current: state.current, env: state.env,
        view: state.view, views: state.views, history: state.history,
      }));
      localStorage.setItem(REV_KEY, String(rev));
    } catch {
      return 'failed';
    }
    this.rev = rev;
    this.conflict = null;
    return 'saved';
  }

  clear() {
    try { localStorage.removeItem(KEY); localStorage.removeItem(REV_KEY); } catch { /* nothing to clear */ }
    this.rev = 0;
    this.conflict = null;
  }
}
