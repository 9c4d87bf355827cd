// Share links: the whole tree in the URL fragment, never sent to a server.
// JSON → deflate-raw (the browser's CompressionStream) → base64url.
// The fragment is `#s=<data>`; `v` lets a later page read older links.

const PREFIX = 's=';

/**
 * The longest link the page hands out, in characters: Chromium refuses
 * longer URLs (its limit is 2 MiB, url::kMaxURLChars; tests/browser/share-limit
 * opens links on both sides of it). Past it Share offers Download .zip.
 */
export const MAX_LINK = 2 * 1024 * 1024;

async function pipe(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

export const deflate = (bytes) => pipe(bytes, new CompressionStream('deflate-raw'));
export const inflate = (bytes) => pipe(bytes, new DecompressionStream('deflate-raw'));

export function toBase64Url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text) {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** {files, current, env, preset} → the fragment text (without '#'). */
export async function encodeState({ files, current, env, preset, view, views, pins }) {
  // Binary files travel as base64 in `bin`; text files in `files`.
  const text = {};
  const bin = {};
  for (const [path, value] of Object.entries(files)) {
    if (typeof value === 'string') text[path] = value;
    else bin[path] = toBase64Url(value);
  }
  const json = JSON.stringify({ v: 1, preset, files: text, ...(Object.keys(bin).length ? { bin } : {}), current, env, view, views, ...(pins?.length ? { pins } : {}) });
  return PREFIX + toBase64Url(await deflate(new TextEncoder().encode(json)));
}

/**
 * The state a fragment holds, or null when it holds none. Throws when it
 * looks like a share link but cannot be read (truncated when copied…).
 * Only strings survive: anything else in the JSON is dropped.
 */
export async function decodeState(fragment) {
  const hash = fragment.replace(/^#/, '');
  if (!hash.startsWith(PREFIX)) return null;
  const json = JSON.parse(new TextDecoder().decode(await inflate(fromBase64Url(hash.slice(PREFIX.length)))));
  return cleanState(json);
}

/** Keeps only well-formed parts of an untrusted state object. */
export function cleanState(raw) {
  if (!raw || typeof raw !== 'object') throw new Error('not a workspace');
  const files = {};
  if (raw.files && typeof raw.files === 'object' && !Array.isArray(raw.files)) {
    for (const [path, text] of Object.entries(raw.files)) {
      const clean = cleanPath(path);
      if (clean && typeof text === 'string') files[clean] = text;
    }
  }
  if (raw.bin && typeof raw.bin === 'object' && !Array.isArray(raw.bin)) {
    for (const [path, data] of Object.entries(raw.bin)) {
      const clean = cleanPath(path);
      if (!clean || typeof data !== 'string') continue;
      try { files[clean] = fromBase64Url(data); } catch { /* not base64: dropped like any malformed part */ }
    }
  }
  const str = (x) => (typeof x === 'string' ? x : null);
  const current = str(raw.current) in files ? raw.current : null;
  const pins = Array.isArray(raw.pins) ? raw.pins.filter((p) => typeof p === 'string') : [];
  return { preset: str(raw.preset), files, current, env: str(raw.env), view: str(raw.view), views: cleanViews(raw.views), pins };
}

/**
 * The settings of each view (`{compare: {from, to, …}, …}`): plain values
 * only, strings, booleans and lists of strings; each view checks its own.
 */
export function cleanViews(raw) {
  const views = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return views;
  const plain = (x) => typeof x === 'string' || typeof x === 'boolean';
  for (const [name, settings] of Object.entries(raw)) {
    if (!settings || typeof settings !== 'object' || Array.isArray(settings)) continue;
    const clean = {};
    for (const [key, value] of Object.entries(settings)) {
      if (plain(value)) clean[key] = value;
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) clean[key] = [...value];
    }
    views[name] = clean;
  }
  return views;
}

/** `./apps//x.yaml` → `apps/x.yaml`; null for paths that leave the tree. */
export function cleanPath(input) {
  const parts = [];
  for (const part of String(input).trim().split(/[/\\]/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') return null;
    parts.push(part);
  }
  return parts.length ? parts.join('/') : null;
}
