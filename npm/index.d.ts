// Types of the <overlay-playground> element (`overlay-playground`, the
// module dist/overlay-playground.js; importing it defines the element).
// Types only: this module defines the element and exports nothing; the engine
// itself is 'overlay-playground/engine'.
export type * from './engine.js';

/** The element's attributes, all optional strings. */
export interface OverlayPlaygroundAttributes {
  /** Start from a preset's files ("fleet-infra", "clusters-per-env", "app-components"); inline files replace theirs. */
  preset?: string;
  /** The environment whose output is shown: "apps/production". */
  env?: string;
  /** Show the diff of two environments instead: "apps/staging..apps/production". */
  diff?: string;
  /** "light", "dark" or "auto" (the system's setting; the default). */
  theme?: 'light' | 'dark' | 'auto';
  /** Files that cannot be edited: a comma list of paths, or "all". */
  readonly?: string;
  /** The files that get a tab, a comma list (default: the inline files without data-hidden). */
  files?: string;
}

/** What the element exposes once `dataset.ready === "true"`. */
export interface MiniPlayground {
  /** The shown output (or diff) as text. */
  text(): string;
  /** Opens a file's tab. */
  open(path: string): void;
  /** The CodeMirror 6 EditorView of the open file. */
  editor: unknown;
  /** The CodeMirror 6 EditorView of the output. */
  viewer: unknown;
  root: HTMLElement;
}

export interface OverlayPlaygroundElement extends HTMLElement {
  /** Set once the engine has loaded and the first render shows. */
  playground?: MiniPlayground;
}

declare global {
  interface HTMLElementTagNameMap {
    'overlay-playground': OverlayPlaygroundElement;
  }
  // JSX (React, Preact, MDX in Docusaurus): <overlay-playground env="…">.
  namespace JSX {
    interface IntrinsicElements {
      'overlay-playground': OverlayPlaygroundAttributes & { children?: unknown; class?: string; className?: string; style?: unknown };
    }
  }
}
