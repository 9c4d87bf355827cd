// The colours of everything the project shows, light and dark, in one place.
// The playground adopts them on its document (src/main.js), the embed and the
// <overlay-playground> element inside their own roots (src/mini.js); CSS and
// CodeMirror's theme (src/cm.js) only read the variables. Each value is a
// light-dark() pair, so `color-scheme` picks the side: the system's by
// default, data-theme="light|dark" to force one.

/** name → [light, dark] */
export const PALETTE = {
  bg: ['#ffffff', '#14171c'],
  fg: ['#1d2330', '#dfe3ea'],
  muted: ['#5a6372', '#9aa3b2'],
  pane: ['#f5f6f8', '#1b1f26'],
  line: ['#d9dde3', '#2f3540'],
  accent: ['#2254c0', '#86aaff'],
  'accent-bg': ['#e6eeff', '#22304d'],
  ok: ['#1b7335', '#72d08e'],
  error: ['#b3261e', '#ff8f85'],
  'error-bg': ['#fdeceb', '#3a2020'],
  warn: ['#8a5200', '#f2c265'],
  'warn-bg': ['#fff5dc', '#352b12'],
  node: ['#ffffff', '#1e232b'],
  code: ['#fcfcfd', '#101318'],
  'active-line': ['#f1f4fa', '#1a1f28'],
  selection: ['#cfdcfb', '#2b3f66'],
  'search-match': ['#fde58a', '#5b4a10'],
  'tok-key': ['#1f4fb0', '#8fb4ff'],
  'tok-string': ['#0f6b3a', '#9bdb9f'],
  'tok-atom': ['#8a3fbf', '#d6a6ff'],
  'tok-comment': ['#6a7380', '#8a93a3'],
  'tok-meta': ['#a0470b', '#f0ad6e'],
  'tok-punct': ['#5a6372', '#9aa3b2'],
  'diff-add-fg': ['#116329', '#8fe0a0'],
  'diff-add-bg': ['#e6f6ea', '#13301d'],
  'diff-del-fg': ['#a40e26', '#ffaaa3'],
  'diff-del-bg': ['#fdebec', '#3a191c'],
  'diff-hunk-fg': ['#2254c0', '#9bb9ff'],
  'diff-hunk-bg': ['#eef3ff', '#1b2740'],
  'diff-head-fg': ['#5a6372', '#9aa3b2'],
};

/** The variables as one CSS rule for `selector`. */
export function paletteRule(selector) {
  return `${selector}{${Object.entries(PALETTE).map(([name, [light, dark]]) => `--${name}:light-dark(${light},${dark})`).join(';')}}`;
}

/** Adopts the palette on a document or shadow root (a constructable sheet, which the page's CSP allows). */
export function adoptPalette(root, selector = ':root') {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(paletteRule(selector));
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
