// A small zip writer and reader for whole trees: text and binary files.
// Entries are written deflated (the browser's CompressionStream('deflate-raw'));
// reading accepts stored (0) and deflated (8) entries, which is what zip
// tools and the browser's own "compress folder" produce, and zip64 archives
// (more than 65,535 entries or 4 GiB). No encryption. The writer needs no
// zip64: the page holds at most LIMITS.workspace bytes and far fewer than
// 65,535 files.

import { deflate, inflate } from './share.js';

/** What the page keeps: a file up to 32 MiB, a workspace up to 512 MiB (README.md, Uploads). */
export const LIMITS = { file: 32 * 1024 * 1024, workspace: 512 * 1024 * 1024 };

/** Bytes → text when they are UTF-8, else the bytes themselves (a binary file). */
export function fileValue(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  }
}
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** {path: text | Uint8Array} → a zip Blob. */
export async function writeZip(files) {
  const enc = new TextEncoder();
  const parts = [];
  const central = [];
  let offset = 0;
  for (const [path, text] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const name = enc.encode(path);
    const data = typeof text === 'string' ? enc.encode(text) : text;
    const packed = await deflate(data);
    const crc = crc32(data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true); // version needed
    local.setUint16(6, 0x0800, true); // UTF-8 names
    local.setUint16(8, 8, true); // deflate
    local.setUint16(10, 0, true); // time
    local.setUint16(12, 0x21, true); // date: 1980-01-01
    local.setUint32(14, crc, true);
    local.setUint32(18, packed.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, name.length, true);
    local.setUint16(28, 0, true);
    parts.push(local, name, packed);
    const entry = new DataView(new ArrayBuffer(46));
    entry.setUint32(0, 0x02014b50, true);
    entry.setUint16(4, 20, true);
    entry.setUint16(6, 20, true);
    entry.setUint16(8, 0x0800, true);
    entry.setUint16(10, 8, true);
    entry.setUint16(14, 0x21, true);
    entry.setUint32(16, crc, true);
    entry.setUint32(20, packed.length, true);
    entry.setUint32(24, data.length, true);
    entry.setUint16(28, name.length, true);
    entry.setUint32(42, offset, true);
    central.push(entry, name);
    offset += 30 + name.length + packed.length;
  }
  const size = central.reduce((n, p) => n + p.byteLength, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, central.length / 2, true);
  end.setUint16(10, central.length / 2, true);
  end.setUint32(12, size, true);
  end.setUint32(16, offset, true);
  return new Blob([...parts, ...central, end], { type: 'application/zip' });
}

const MiB = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/**
 * A zip's bytes → {files: {path: text | bytes}, skipped: [{path, reason}]}:
 * directories left out, entries over LIMITS listed in `skipped` (never
 * dropped silently), `keep(path)` false leaves an entry out unlisted (the
 * caller counts those). onProgress(done, total) now and then. Throws on what
 * it cannot read.
 */
export async function readZipEntries(buffer, { keep = () => true, onProgress = () => {}, budget = LIMITS.workspace } = {}) {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u64 = (at) => view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip file');
  let count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  // zip64: a locator just before the end record points at the zip64 end record.
  if (eocd >= 20 && view.getUint32(eocd - 20, true) === 0x07064b50) {
    const at = u64(eocd - 20 + 8);
    if (at + 56 > bytes.length || view.getUint32(at, true) !== 0x06064b50) throw new Error('damaged zip64 end record');
    count = u64(at + 32);
    p = u64(at + 48);
  }
  const names = new TextDecoder();
  const files = {};
  const skipped = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) throw new Error('damaged zip directory');
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    let packedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let local = view.getUint32(p + 42, true);
    const name = names.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field (0x0001): the 64-bit values of the fields set to 0xffffffff, in this order.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) { size = u64(q); q += 8; }
        if (packedSize === 0xffffffff) { packedSize = u64(q); q += 8; }
        if (local === 0xffffffff) { local = u64(q); q += 8; }
      }
      e += 4 + len;
    }
    p += 46 + nameLen + extraLen + commentLen;
    if (i % 64 === 0) onProgress(i, count);
    if (name.endsWith('/') || !keep(name)) continue;
    if (flags & 1) { skipped.push({ path: name, reason: 'encrypted' }); continue; }
    if (size > LIMITS.file) { skipped.push({ path: name, reason: `${MiB(size)}, over the ${MiB(LIMITS.file)} limit for a file` }); continue; }
    if (total + size > budget) { skipped.push({ path: name, reason: `the workspace would pass its ${MiB(LIMITS.workspace)} limit` }); continue; }
    if (view.getUint32(local, true) !== 0x04034b50) throw new Error(`${name}: damaged local header`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const packed = bytes.subarray(start, start + packedSize);
    let data;
    if (method === 0) data = packed.slice();
    else if (method === 8) data = await inflate(packed);
    else { skipped.push({ path: name, reason: `compression method ${method} is not supported (only stored and deflated)` }); continue; }
    if (data.length !== size) throw new Error(`${name}: damaged (${data.length} bytes, the directory says ${size})`);
    total += size;
    files[name] = fileValue(data);
  }
  onProgress(count, count);
  return { files, skipped };
}

/** A zip's bytes → {path: text | bytes}; directories skipped; throws on what it cannot read. */
export async function readZip(buffer) {
  return (await readZipEntries(buffer)).files;
}
