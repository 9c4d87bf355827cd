// What survives a reload: the files as edited, which preset they came from,
// and the file open in the editor. Kept in localStorage, one JSON value.

const KEY = 'overlay-playground/v1';

/** The saved state, or null when there is none or it is unusable. */
export function load() {
  let saved;
  try {
    saved = JSON.parse(localStorage.getItem(KEY) ?? 'null');
  } catch {
    return null;
  }
  if (!saved || typeof saved !== 'object' || typeof saved.preset !== 'string') return null;
  const files = saved.files;
  if (!files || typeof files !== 'object' || Array.isArray(files)) return null;
  const clean = {};
  for (const [path, text] of Object.entries(files)) {
    if (typeof text === 'string' && path !== '') clean[path] = text;
  }
  const current = typeof saved.current === 'string' && saved.current in clean ? saved.current : null;
  return { preset: saved.preset, files: clean, current };
}

/** Saves the state; returns false when the browser refuses (storage full or off). */
export function save(state) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ preset: state.preset, files: state.files, current: state.current }));
    return true;
  } catch {
    return false;
  }
}

export function clear() {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing saved, nothing to clear
  }
}
