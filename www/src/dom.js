// The one way this page makes DOM: elements with text content, never HTML
// parsed from a string, so user text can never turn into markup.

/**
 * el('li', {className: 'x', dataset: {path}}, 'text', child, …)
 * Strings become text nodes; properties are assigned (null ones skipped),
 * `dataset` merged, `on…` functions become event listeners.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child == null || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** `/apps/base/x.yaml` → `apps/base/x.yaml`: how the page names files. */
export function displayPath(path) {
  return path.replace(/^\/+/, '');
}

/** The folder part of a path: `apps/base/x.yaml` → `apps/base` (`` at the top). */
export function folderOf(path) {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The name part of a path: `apps/base/x.yaml` → `x.yaml`. */
export function nameOf(path) {
  return path.slice(path.lastIndexOf('/') + 1);
}
