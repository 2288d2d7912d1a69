/**
 * Corrupt input: each damage kind yields one clear InputError naming the
 * file, and seeded cuts/bit flips of every conformance file never escape as
 * RangeError/TypeError (or hang).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { conformanceRoot } from '../helpers/conformance.js';
import { isInputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/prng.js';
import { loadNifti, niftiInfo, openNifti, readMaskedTimeseries, readNiftiHeader, streamBlocks, writeNifti } from '../../src/io/nifti.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-nifti-bad-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A valid 5×4×3×2 int16 image as bytes (.nii), written by brainalign. */
function goodNii(): Buffer {
  const p = path.join(tmp, 'good.nii');
  const d = new Int16Array(5 * 4 * 3 * 2).map((_, i) => i - 40);
  writeNifti(p, { dims: [5, 4, 3, 2], data: d, affine: [2, 0, 0, 1, 0, 2, 0, 2, 0, 0, 2, 3, 0, 0, 0, 1] });
  return fs.readFileSync(p);
}

function expectInputError(t: import('ava').ExecutionContext, file: string, fn: () => unknown, pattern: RegExp): void {
  const e = t.throws(fn);
  t.true(isInputError(e), `${file}: ${String(e)}`);
  t.false(e.message.includes('\n'), 'one line');
  t.true(e.message.startsWith(`${file}: `), e.message);
  t.regex(e.message, pattern);
}

function readAll(p: string): void {
  loadNifti(p).getData();
}

test('truncated header (.nii and .nii.gz) → "truncated header"', (t) => {
  const b = goodNii();
  for (const [name, bytes] of [
    ['th.nii', b.subarray(0, 200)],
    ['th.nii.gz', zlib.gzipSync(b.subarray(0, 300))],
  ] as const) {
    const p = path.join(tmp, name);
    fs.writeFileSync(p, bytes);
    expectInputError(t, p, () => readNiftiHeader(p), /truncated header/);
  }
});

test('truncated data (.nii cut mid-volume, .nii.gz stream cut short) → "truncated data"', (t) => {
  const b = goodNii();
  const p = path.join(tmp, 'td.nii');
  fs.writeFileSync(p, b.subarray(0, 352 + 100));
  t.deepEqual(readNiftiHeader(p).dim.slice(0, 5), [4, 5, 4, 3, 2]);
  expectInputError(t, p, () => readAll(p), /truncated data: 100 of 240 image bytes/);
  const g = path.join(tmp, 'td.nii.gz');
  fs.writeFileSync(g, zlib.gzipSync(b.subarray(0, 352 + 100)));
  expectInputError(t, g, () => readAll(g), /truncated data: 100 of 240 image bytes/);
  const cut = path.join(tmp, 'cut.nii.gz');
  const full = zlib.gzipSync(b);
  fs.writeFileSync(cut, full.subarray(0, full.length - 30));
  expectInputError(t, cut, () => readAll(cut), /truncated data/);
  expectInputError(t, cut, () => readMaskedTimeseries(cut, new Uint8Array(60).fill(1)), /truncated data/);
});

test('wrong magic → "not a NIfTI-1 file: magic is ..."', (t) => {
  const b = Buffer.from(goodNii());
  b.write('n+9', 344, 'latin1');
  const p = path.join(tmp, 'magic.nii');
  fs.writeFileSync(p, b);
  expectInputError(t, p, () => readNiftiHeader(p), /not a NIfTI-1 file: magic is 'n\+9'/);
});

test('zero and negative dims → "dim[i] is N: dimensions must be positive"', (t) => {
  for (const [i, v] of [
    [2, 0],
    [3, -5],
    [0, 0],
    [0, 9],
  ] as const) {
    const b = Buffer.from(goodNii());
    b.writeInt16LE(v, 40 + 2 * i);
    const p = path.join(tmp, `dim${i}_${v}.nii.gz`);
    fs.writeFileSync(p, zlib.gzipSync(b));
    expectInputError(
      t,
      p,
      () => readNiftiHeader(p),
      i === 0 ? /dim\[0\] is -?\d+: the number of dimensions must be 1\.\.7/ : new RegExp(`dim\\[${i}\\] is ${v}: dimensions must be positive`),
    );
  }
});

test('vox_offset past the end of the file (.nii at open, .nii.gz when reading) → "past the end"', (t) => {
  const b = Buffer.from(goodNii());
  b.writeFloatLE(100000, 108);
  const p = path.join(tmp, 'vox.nii');
  fs.writeFileSync(p, b);
  expectInputError(t, p, () => readNiftiHeader(p), /vox_offset 100000 is past the end of the file \(592 bytes\)/);
  const g = path.join(tmp, 'vox.nii.gz');
  fs.writeFileSync(g, zlib.gzipSync(b));
  expectInputError(t, g, () => readAll(g), /vox_offset 100000 is past the end of the file \(592 bytes\)/);
});

test('a single file whose vox_offset lies inside the header (0 from old writers) → InputError, never header bytes read as voxels', (t) => {
  const b = Buffer.from(goodNii());
  b.writeFloatLE(0, 108);
  const p = path.join(tmp, 'vox0.nii');
  fs.writeFileSync(p, b);
  expectInputError(t, p, () => readAll(p), /vox_offset 0 lies inside the 348-byte header/);
});

test('missing file → "file not found" naming the file', (t) => {
  const p = path.join(tmp, 'nope.nii.gz');
  expectInputError(t, p, () => readNiftiHeader(p), /file not found/);
});

/** Every NIfTI conformance file, grouped with the files its read needs (pairs). */
function conformanceTargets(): { entry: string; files: string[]; target: string }[] {
  const root = path.join(conformanceRoot(), 'nifti');
  const all: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(nii|hdr|img)(\.gz)?$/.test(e.name)) all.push(p);
    }
  };
  walk(root);
  all.sort();
  return all.map((target) => {
    const stem = target.replace(/\.(nii|hdr|img)(\.gz)?$/, '');
    const siblings = all.filter((f) => f.replace(/\.(nii|hdr|img)(\.gz)?$/, '') === stem && !/\.nii(\.gz)?$/.test(f) === !/\.nii(\.gz)?$/.test(target));
    return { entry: target, files: siblings, target };
  });
}

test('fuzz: 20 seeded cuts and 20 bit flips of every NIfTI conformance file fail only with InputError', (t) => {
  const rng = new Rng(20261125, 'nifti-fuzz');
  const targets = conformanceTargets();
  t.true(targets.length >= 45, `found ${targets.length} files`);
  let ok = 0,
    rejected = 0;
  for (const { entry, files, target } of targets) {
    const r = rng.fork(path.relative(conformanceRoot(), target));
    const dir = fs.mkdtempSync(path.join(tmp, 'fz-'));
    for (const f of files) fs.copyFileSync(f, path.join(dir, path.basename(f)));
    const bytes = fs.readFileSync(target);
    const mutated = path.join(dir, path.basename(target));
    const entryCopy = path.join(dir, path.basename(entry));
    for (let k = 0; k < 20; k++) {
      // Half the offsets land in the first 600 bytes, where header fields (or the gzip header) live.
      const off = k % 2 === 0 ? r.int(Math.min(600, bytes.length)) : r.int(bytes.length);
      const flipped = Buffer.from(bytes);
      flipped[off] ^= 1 << r.int(8);
      for (const variant of [bytes.subarray(0, off), flipped]) {
        fs.writeFileSync(mutated, variant);
        try {
          const img = loadNifti(entryCopy);
          if (img.dims.reduce((a, b) => a * b, 1) <= 1 << 21) {
            img.getData();
            niftiInfo(entryCopy);
            if (img.components === 1 && img.dims.length >= 3 && img.dims.length <= 4) {
              const [x, y, z] = img.dims;
              readMaskedTimeseries(entryCopy, new Uint8Array(x * y * z).fill(1));
            }
          } else {
            // Big images (5D_zeros: 33 M voxels): stream every byte (inflate,
            // truncation and CRC checks) without converting, to keep the suite fast.
            streamBlocks(openNifti(entryCopy), 1 << 22, () => {});
          }
          ok++;
        } catch (e) {
          if (!isInputError(e)) {
            t.fail(`${path.basename(target)} ${variant === flipped ? 'flip' : 'cut'} at ${off}: ${String(e)}`);
            return;
          }
          rejected++;
        }
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  t.log(`${ok} mutated files still readable, ${rejected} rejected with InputError`);
  t.true(rejected > 0 && ok + rejected === targets.length * 40);
});
