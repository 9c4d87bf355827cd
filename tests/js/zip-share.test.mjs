// www/src/zip.js and www/src/share.js in Node (which has the same
// Compression Streams as the browser), against Python's zipfile.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readZip, readZipEntries, writeZip, crc32 } from '../../www/src/zip.js';
import { encodeState, decodeState, cleanPath } from '../../www/src/share.js';

const BINARY = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80, 0x00]);
const FILES = {
  'apps/base/kustomization.yaml': 'resources:\n- deployment.yaml\n',
  'apps/base/deployment.yaml': 'kind: Deployment\n# ünïcödé ✓\n'.repeat(50),
  'empty.yaml': '',
};

describe('zip', () => {
  it('computes the standard CRC-32', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  });

  it('writes zips that Python reads, and reads its stored and deflated ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'overlay-zip-'));
    try {
      const ours = join(dir, 'ours.zip');
      writeFileSync(ours, Buffer.from(await (await writeZip(FILES)).arrayBuffer()));
      const py = 'import sys,zipfile,json; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps({n: z.read(n).decode() for n in z.namelist()}))';
      assert.deepEqual(JSON.parse(execFileSync('python3', ['-c', py, ours], { encoding: 'utf8' })), FILES);
      for (const method of ['ZIP_STORED', 'ZIP_DEFLATED']) {
        const theirs = join(dir, `${method}.zip`);
        const make = `import sys,zipfile,json\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.${method}) as z:\n  z.writestr('top/', '')\n  for n, t in json.loads(sys.argv[2]).items(): z.writestr('top/' + n, t)`;
        execFileSync('python3', ['-c', make, theirs, JSON.stringify(FILES)]);
        const read = await readZip(readFileSync(theirs));
        assert.deepEqual(read, Object.fromEntries(Object.entries(FILES).map(([n, t]) => [`top/${n}`, t])), method);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what is not a zip', async () => {
    await assert.rejects(readZip(new TextEncoder().encode('not a zip at all, just text')), /not a zip/);
  });
});

describe('zip: binary files and zip64', () => {
  it('round-trips binary files byte for byte, and Python reads them alike', async () => {
    const files = { ...FILES, 'bin/logo.png': BINARY, 'bin/latin1.txt': new Uint8Array([0x63, 0x61, 0x66, 0xe9]) };
    const zip = new Uint8Array(await (await writeZip(files)).arrayBuffer());
    assert.deepEqual(await readZip(zip), files);
    const dir = mkdtempSync(join(tmpdir(), 'overlay-zip-'));
    try {
      writeFileSync(join(dir, 'b.zip'), zip);
      const py = 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(z.read("bin/logo.png").hex())';
      assert.equal(execFileSync('python3', ['-c', py, join(dir, 'b.zip')], { encoding: 'utf8' }).trim(), Buffer.from(BINARY).toString('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a zip64 archive (more than 65,535 entries) and lists entries over the limits by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'overlay-zip64-'));
    try {
      const path = join(dir, 'z64.zip');
      // 65,540 entries need the zip64 end record; one entry of 33 MiB passes the file limit.
      const py = `import sys,zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_STORED, allowZip64=True) as z:
    for i in range(65540): z.writestr(f'repo/f{i}.yaml', f'n: {i}\\n')
    z.writestr('repo/big.bin', b'\\0' * (33 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED)`;
      execFileSync('python3', ['-c', py, path]);
      const { files, skipped } = await readZipEntries(readFileSync(path));
      assert.equal(Object.keys(files).length, 65540);
      assert.equal(files['repo/f65539.yaml'], 'n: 65539\n');
      assert.deepEqual(skipped.map((s) => s.path), ['repo/big.bin']);
      assert.match(skipped[0].reason, /over the 32\.0 MiB limit for a file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('share links', () => {
  it('round-trip the state through the fragment', async () => {
    const state = {
      preset: 'fleet-infra', files: FILES, current: 'empty.yaml', env: '/apps/base',
      view: 'compare', views: { compare: { from: '/apps/staging', to: '/apps/production', sub: 'unified', strict: false, ignore: ['spec.replicas'] } },
      pins: ['/apps/base/redis'],
    };
    // A binary file travels as bytes.
    state.files = { ...FILES, 'apps/base/logo.png': BINARY };
    const fragment = await encodeState(state);
    assert.match(fragment, /^s=[A-Za-z0-9_-]+$/);
    assert.deepEqual(await decodeState(`#${fragment}`), state);
    assert.equal(await decodeState('#other'), null);
    await assert.rejects(decodeState(`#${fragment.slice(0, 20)}`));
  });

  it('keep only paths inside the tree and string contents', async () => {
    assert.equal(cleanPath('../etc/passwd'), null);
    assert.equal(cleanPath('./a//b/./c.yaml'), 'a/b/c.yaml');
    assert.equal(cleanPath('a\\b.yaml'), 'a/b.yaml');
    const raw = {
      files: { '../x': 'a', 'ok.yaml': 'b', 'n.yaml': 5 }, current: '../x', env: {}, view: 7,
      // Settings keep strings, booleans and lists of strings; anything else goes.
      views: { compare: { from: 'a', n: 1, on: true, list: ['x'], mixed: ['x', 2], deep: { a: 1 } }, bad: 'x', arr: [] },
    };
    const bytes = new TextEncoder().encode(JSON.stringify(raw));
    const { deflate, toBase64Url } = await import('../../www/src/share.js');
    const decoded = await decodeState(`#s=${toBase64Url(await deflate(bytes))}`);
    assert.deepEqual(decoded, {
      preset: null, files: { 'ok.yaml': 'b' }, current: null, env: null, view: null,
      views: { compare: { from: 'a', on: true, list: ['x'] } }, pins: [],
    });
  });
});
