// The small playground of the embed page and the <overlay-playground>
// element: file tabs, one editor, one environment's output (or the diff of
// two), the errors, and an "Open in playground" link carrying the whole state. Its styles are a
// constructable stylesheet (CSP-safe, no <style> element), scoped to `.op`.

import init, { Workspace } from '../pkg/overlay.js';
import { el, displayPath } from './dom.js';
import { createEditor, createViewer, setText, reveal, diagnosticsFor, setDiagnostics } from './cm.js';
import { collectProblems, placeOf } from './problems.js';
import { encodeState } from './share.js';
import { diffBlock, semanticList, summaryText } from './diffview.js';
import { paletteRule } from './palette.js';

let engine = null;
/** Loads the engine once per page, from next to this script's bundle. */
export function loadEngine() {
  engine ??= init({ module_or_path: new URL('../pkg/overlay_bg.wasm', import.meta.url) });
  return engine;
}

const CSS = `
${paletteRule('.op')}
.op{color-scheme:light;--mono:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;display:flex;flex-direction:column;border:1px solid var(--line);border-radius:8px;overflow:hidden;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;text-align:left}
.op[data-theme=dark]{color-scheme:dark}
.op[data-theme=auto]{color-scheme:light dark}
.op *{box-sizing:border-box}
.op button,.op select{font:inherit;font-size:.8rem;color:inherit;background:var(--pane);border:1px solid var(--line);border-radius:6px;padding:.15rem .55rem;cursor:pointer}
.op :focus-visible{outline:2px solid var(--accent);outline-offset:1px}
.op-tabs{display:flex;flex-wrap:wrap;gap:.25rem;padding:.35rem .5rem;background:var(--pane);border-bottom:1px solid var(--line)}
.op-tabs button{font-family:var(--mono)}
.op-tabs button[aria-pressed=true]{background:var(--accent-bg);border-color:var(--accent);color:var(--accent);font-weight:600}
.op-body{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);flex:1;min-height:0}
.op-body>div{min-width:0;min-height:0;overflow:auto;display:flex;flex-direction:column}
.op-body>div+div{border-left:1px solid var(--line)}
.op-head{display:flex;align-items:center;gap:.5rem;padding:.3rem .5rem;background:var(--pane);border-bottom:1px solid var(--line);font-size:.8rem;color:var(--muted)}
.op-head .op-ro{margin-left:auto}
.op-head a{margin-left:auto;color:var(--accent)}
.op-cm{flex:1;min-height:0}
.op-errors{list-style:none;margin:0;padding:.4rem .6rem;background:var(--error-bg);color:var(--error);font:12px/1.5 var(--mono);white-space:pre-wrap;overflow-wrap:anywhere}
.op-errors button{border:0;background:none;padding:0;text-align:left;font:inherit;color:inherit;text-decoration:underline dotted;white-space:pre-wrap}
.op-diff{flex:1;min-height:0;overflow:auto;padding:.4rem .6rem;font-size:.85rem}
.op-diff p{margin:.2rem 0 .4rem;font-weight:600}
.op .resources{list-style:none;margin:0 0 .5rem;padding:0}
.op .resource{border:1px solid var(--line);border-radius:6px;padding:.3rem .5rem;margin-bottom:.35rem}
.op .res-status{font-size:.7rem;text-transform:uppercase;letter-spacing:.04em;border:1px solid currentColor;border-radius:1rem;padding:0 .4rem;margin-right:.4rem;color:var(--accent)}
.op .res-title{font:600 .8rem var(--mono)}
.op .changes{list-style:none;margin:.2rem 0 0;padding:0;font:12px/1.5 var(--mono)}
.op .change{overflow-wrap:anywhere}
.op .change-path{color:var(--tok-key)}
.op .diff{margin:0;font:12px/1.45 var(--mono);border:1px solid var(--line);border-radius:6px;overflow:auto;background:var(--code)}
.op .diff span{display:block;white-space:pre;padding:0 .5rem;min-width:max-content}
.op .d-add{background:rgb(46 160 67 / .2)}
.op .d-del{background:rgb(248 81 73 / .2)}
.op .d-hunk,.op .d-head{color:var(--muted)}
@media (max-width:640px){.op-body{grid-template-columns:1fr}.op-body>div+div{border-left:0;border-top:1px solid var(--line)}}
`;
let sheetAdded = false;
function addStyles() {
  if (sheetAdded) return;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  sheetAdded = true;
}

/**
 * Mounts a small playground into `host`.
 * options: files {path: text}; shown: paths with a tab (default all);
 * readonly: Set of paths (or true for all); env: environment path to show;
 * diff: [from, to] environment paths: show their diff instead of one output;
 * theme: light|dark|auto; height: CSS length (default: size to content);
 * playgroundUrl: the full page, for "Open in playground".
 */
export async function mountMini(host, options) {
  addStyles();
  await loadEngine();
  const files = { ...options.files };
  const paths = Object.keys(files).sort();
  const shown = (options.shown?.length ? options.shown.filter((p) => p in files) : paths);
  const isReadOnly = (p) => options.readonly === true || options.readonly?.has(p);
  const ws = new Workspace();
  for (const [p, t] of Object.entries(files)) ws.setFile(p, t);
  const envs = ws.environments();
  const envOf = (path) => envs.find((e) => displayPath(e.path) === displayPath(path ?? ''))?.path ?? null;
  let env = envOf(options.env) ?? envs.at(-1)?.path ?? null;
  const pair = options.diff?.map(envOf);
  const diffing = pair?.length === 2 && pair[0] && pair[1];
  let current = shown[0] ?? null;
  let problems = [];

  const root = el('div', { className: 'op', dataset: { theme: options.theme ?? 'auto' } });
  if (options.height) root.style.height = options.height;
  const tabs = el('div', { className: 'op-tabs', role: 'toolbar', ariaLabel: 'Files' });
  const roNote = el('span', { className: 'op-ro' });
  const fileTitle = el('span', {});
  const editorHost = el('div', { className: 'op-cm' });
  const select = el('select', { ariaLabel: 'Environment' }, ...envs.map((e) => el('option', { value: e.path }, displayPath(e.path))));
  if (env) select.value = env;
  const link = el('a', { target: '_blank', rel: 'noopener', href: options.playgroundUrl }, 'Open in playground ↗');
  const outHost = el('div', { className: 'op-cm', hidden: Boolean(diffing) });
  const diffHost = el('div', { className: 'op-diff', hidden: !diffing, tabIndex: 0, ariaLabel: 'Differences' });
  const errors = el('ul', { className: 'op-errors', hidden: true });
  const outHead = diffing ? el('span', {}, `${displayPath(pair[0])} → ${displayPath(pair[1])}`) : select;
  root.append(tabs, el('div', { className: 'op-body' },
    el('div', {}, el('div', { className: 'op-head' }, fileTitle, roNote), editorHost),
    el('div', {}, el('div', { className: 'op-head' }, outHead, link), outHost, diffHost, errors)));
  host.replaceChildren(root);

  let switching = false;
  const editor = createEditor(editorHost, {
    label: 'File contents (YAML)',
    onChange: (text) => {
      if (switching || current == null) return;
      files[current] = text;
      ws.setFile(current, text);
      update();
      queueMicrotask(showDiagnostics);
    },
  });
  const viewer = createViewer(outHost, { label: 'Rendered YAML' });

  function showDiagnostics() {
    editor.dispatch(setDiagnostics(editor.state, diagnosticsFor(editor.state.doc, problems.filter((p) => p.file === current))));
  }

  function open(path, line, column) {
    if (!(path in files)) return;
    current = path;
    switching = true;
    setText(editor, files[path]);
    switching = false;
    editor.setReadOnly(isReadOnly(path));
    fileTitle.textContent = path;
    roNote.textContent = isReadOnly(path) ? 'read-only' : '';
    for (const b of tabs.children) b.ariaPressed = String(b.dataset.path === path);
    showDiagnostics();
    if (line) reveal(editor, line, column);
  }

  let linkTimer = 0;
  function update() {
    const result = diffing ? ws.diff(pair[0], pair[1])
      : env ? ws.render(env) : { ok: false, errors: [{ message: 'No environment: add a kustomization.yaml.' }] };
    problems = collectProblems([{ ...result, path: env ?? '' }]);
    (diffing ? diffHost : outHost).hidden = !result.ok;
    errors.hidden = result.ok;
    if (result.ok && diffing) {
      diffHost.replaceChildren(el('p', {}, summaryText(result, displayPath(pair[0]), displayPath(pair[1]))),
        semanticList(result), diffBlock(result.unified));
    } else if (result.ok) setText(viewer, result.output);
    else {
      errors.replaceChildren(...problems.map((p) => el('li', {}, p.file && shown.includes(p.file)
        ? el('button', { type: 'button', onclick: () => open(p.file, p.line, p.column) }, `${placeOf(p)}: ${p.message}`)
        : `${placeOf(p) ? `${placeOf(p)}: ` : ''}${p.message}`)));
    }
    // The link is rebuilt a moment after typing stops (compression is async).
    clearTimeout(linkTimer);
    linkTimer = setTimeout(async () => {
      const view = diffing ? { view: 'compare', views: { compare: { from: pair[0], to: pair[1] } } } : {};
      link.href = `${options.playgroundUrl}#${await encodeState({ files, current, env, preset: null, ...view })}`;
      root.dispatchEvent(new CustomEvent('op-link', { bubbles: true }));
    }, 150);
    options.onResize?.();
  }

  tabs.append(...shown.map((p) => el('button', { type: 'button', dataset: { path: p }, onclick: () => open(p) }, p)));
  select.addEventListener('change', () => { env = select.value; update(); });
  if (current) open(current);
  update();
  return { root, editor, viewer, text: () => (diffing ? diffHost.textContent : viewer.state.doc.toString()), open };
}
