// Ctrl-P / ⌘-P: a filterable list of files in a <dialog>. Typing filters by
// every word (in any order); Enter opens the first match.

import { el } from './dom.js';

export function quickOpen({ paths, onOpen }) {
  const input = el('input', { type: 'search', className: 'qo-input', placeholder: 'Type to find a file…', ariaLabel: 'File name' });
  const list = el('ul', { className: 'qo-list', role: 'listbox', ariaLabel: 'Matching files' });
  const dialog = el('dialog', { className: 'quick-open', ariaLabel: 'Open a file' }, input, list);
  let matches = [];
  let selected = 0;
  const choose = (path) => { dialog.close(); onOpen(path); };
  const draw = () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    matches = paths.filter((p) => words.every((w) => p.toLowerCase().includes(w))).slice(0, 50);
    selected = Math.min(selected, Math.max(0, matches.length - 1));
    list.replaceChildren(...matches.map((p, i) =>
      el('li', { role: 'option', ariaSelected: String(i === selected), className: i === selected ? 'sel' : '', onclick: () => choose(p) }, p)));
  };
  input.addEventListener('input', () => { selected = 0; draw(); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { selected = Math.min(selected + 1, matches.length - 1); draw(); e.preventDefault(); }
    else if (e.key === 'ArrowUp') { selected = Math.max(selected - 1, 0); draw(); e.preventDefault(); }
    else if (e.key === 'Enter' && matches[selected]) { e.preventDefault(); choose(matches[selected]); }
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  draw();
  dialog.showModal();
  input.focus();
}
