// The plain <textarea> editor: YAML-friendly Tab, and jumping to a place.

/** Tab inserts two spaces; after Esc, Tab moves focus as usual. */
export function yamlTabs(textarea) {
  let escaped = false;
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      escaped = true;
      return;
    }
    if (event.key === 'Tab' && !escaped && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      // insertText keeps the browser's undo history; it fires `input`.
      if (!document.execCommand('insertText', false, '  ')) {
        textarea.setRangeText('  ', textarea.selectionStart, textarea.selectionEnd, 'end');
        textarea.dispatchEvent(new Event('input'));
      }
    }
    escaped = false;
  });
}

/** Selects line `line` (1-based) from column `column` to its end, and scrolls there. */
export function revealPosition(textarea, line, column) {
  const lines = textarea.value.split('\n');
  const l = Math.min(Math.max(line ?? 1, 1), lines.length);
  let start = 0;
  for (let i = 0; i < l - 1; i++) start += lines[i].length + 1;
  const lineText = lines[l - 1];
  const from = start + Math.min(Math.max((column ?? 1) - 1, 0), lineText.length);
  const to = start + lineText.length;
  textarea.focus();
  textarea.setSelectionRange(from, to > from ? to : from);
  const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 18;
  textarea.scrollTop = Math.max(0, (l - 3) * lineHeight);
}
