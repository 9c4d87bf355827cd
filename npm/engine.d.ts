// Types of the engine (`overlay-playground/engine`, the wasm-bindgen module
// pkg/overlay.js). Shapes as documented on each method in src/wasm.rs.
// Paths are strings, relative to the root ("apps/base/x.yaml") or absolute
// ("/apps/base/x.yaml"); a non-string path throws a TypeError naming the
// parameter. Lines and columns start at 1.

/** Where and why something failed; file, line and column are null when the engine knows no place. */
export interface EngineError {
  file: string | null;
  line: number | null;
  column: number | null;
  message: string;
}

/** Every call that can fail answers `{ok: true, …}` or this. */
export interface Failure {
  ok: false;
  errors: EngineError[];
}
export type Result<T> = ({ ok: true } & T) | Failure;

export interface Environment {
  /** "/apps/production" */
  path: string;
  name: string;
  group: string;
}

export interface Kustomization extends Environment {
  role: 'environment' | 'base' | 'component' | 'fixture';
  reason: string;
}

export type Rendered = Result<{ output: string }>;
export type RenderedEnvironment = Environment & Rendered;

export interface DiffOptions {
  /** Field paths left out of the comparison: "spec.replicas", "/metadata/labels/env". */
  ignore?: string[];
  strictNamespaces?: boolean;
  /** Lines of context in unified diffs (3). */
  context?: number;
}

export interface DiffResource {
  status: 'added' | 'removed' | 'changed' | 'unchanged' | string;
  title: string;
  renamed: boolean;
  name: string;
  before: string | null;
  after: string | null;
  changes: unknown[];
  unified: string;
}

export type Diff = Result<{
  version: number;
  from: string;
  to: string;
  equal: boolean;
  summary: Record<string, number>;
  resources: DiffResource[];
  unified: string;
}>;

export interface PromoteOptions extends DiffOptions {
  images?: boolean;
  files?: string[];
  all?: boolean;
  prune?: boolean;
  keep?: string[];
  force?: boolean;
}

export interface FileChange {
  path: string;
  before: string | null;
  after: string | null;
}

export type Promotion = Result<{
  noop: boolean;
  message: string;
  files: FileChange[];
  patch: string;
  images: unknown[];
  imageDifferences: unknown[];
  rendered: unknown;
  remaining: unknown;
  notes: string[];
  specific: { check: string; at: string; change: string }[];
  confirmed: boolean;
  prune?: unknown[];
}>;

export interface HistoryEntry {
  index: number;
  message: string;
  files: FileChange[];
  patch: string;
}

export interface FluxOptions {
  root?: string;
  selfSources?: string[];
  strictSubstitute?: boolean;
}

export type Flux = Result<{
  dir: string;
  root: string;
  rootKustomization: unknown;
  output: string;
  objects: unknown[];
  skipped: unknown[];
  order: string[];
  orderError: EngineError | null;
  kustomizations: Array<{ key: string; path: string; dependsOn: string[]; parent: string | null; status: 'rendered' | 'suspended' | 'external' | 'failed'; errors: EngineError[]; output: string; [field: string]: unknown }>;
  edges: { from: string; to: string; kind: 'dependsOn' | 'applies' }[];
  findings: Finding[];
}>;

export interface PruneEntry {
  owner: string;
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
  action: 'delete' | 'orphan' | 'keep' | 'move';
  detail: string | null;
  message: string;
}

export interface Finding {
  file: string;
  line: number;
  column: number | null;
  message: string;
  rule: string;
  fix: string;
}

/** A tree of files in memory and the engine's calls on it. */
export class Workspace {
  constructor();
  free(): void;
  /** Adds or replaces a file. */
  setFile(path: string, text: string): void;
  /** Removes a file; whether there was one. */
  removeFile(path: string): boolean;
  /** A file's text, or undefined. */
  getFile(path: string): string | undefined;
  /** The normalised paths of all files, sorted. */
  files(): string[];
  environments(): Environment[];
  kustomizations(): Kustomization[];
  setPinned(paths: string[]): Result<{}>;
  /** Builds the kustomization in `dir` as `kubectl kustomize dir` does. */
  render(dir: string): Rendered;
  renderAll(): RenderedEnvironment[];
  diff(dirA: string, dirB: string, options?: DiffOptions): Diff;
  promote(fromDir: string, toDir: string, options?: PromoteOptions): Promotion;
  applyPromotion(fromDir: string, toDir: string, options?: PromoteOptions): Result<HistoryEntry>;
  revert(index: number): Result<HistoryEntry>;
  history(): HistoryEntry[];
  historyState(): unknown;
  restoreHistory(entries: unknown): Result<{}>;
  exportPatch(index?: number): Result<HistoryEntry>;
  clusters(): { path: string; name: string }[];
  flux(clusterDir: string, options?: FluxOptions): Flux;
  prune(clusterDir: string, previous: Record<string, string>, options?: FluxOptions): Result<{ entries: PruneEntry[] }>;
  lint(): Finding[];
}

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** Loads the engine (pkg/overlay_bg.wasm next to this module unless told otherwise). */
export default function init(moduleOrPath?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<unknown>;
/** Loads the engine synchronously from bytes or a compiled module (Node: readFileSync of engine.wasm). */
export function initSync(module: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): unknown;
