/**
 * Masked 4-D reads: brainalign's streamed time × voxel matrix equals
 * nibabel's `get_fdata(dtype=float32)[mask].T` for scaled big-endian int16,
 * gzipped float32 and plain files, at any read chunk size; and a sparse run
 * larger than 2 GiB reads with bounded memory.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isInputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/prng.js';
import { readMaskedTimeseries, writeNifti } from '../../src/io/nifti.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-nifti-m-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const [X, Y, Z, T] = [11, 9, 7, 13];

const PY = `
import sys, json, numpy as np, nibabel as nib
tmp = sys.argv[1]
rng = np.random.default_rng(3)
data = rng.normal(1000, 250, size=(${X}, ${Y}, ${Z}, ${T}))
mask = rng.random((${X}, ${Y}, ${Z})) < 0.3
aff = np.diag([3.0, 3.0, 3.5, 1.0])
out = {}
for name, dt, endian in [('be_i2.nii', '>i2', '>'), ('le_f4.nii.gz', '<f4', '<'), ('le_u2.nii.gz', '<u2', '<')]:
    hdr = nib.Nifti1Header(endianness=endian)
    img = nib.Nifti1Image(data, aff, hdr)
    img.set_data_dtype(np.dtype(dt))
    nib.save(img, f'{tmp}/{name}')
    back = nib.load(f'{tmp}/{name}')
    # voxels in x-fastest (Fortran) order, as brainalign orders mask columns
    ts = back.get_fdata(dtype=np.float32).reshape(-1, ${T}, order='F')[mask.ravel(order='F')].T
    ts.astype('<f4').tofile(f'{tmp}/{name}.ref')
    out[name] = dict(slope=float(back.dataobj.slope), inter=float(back.dataobj.inter), shape=list(ts.shape))
mask.astype(np.uint8).ravel(order='F').tofile(f'{tmp}/mask.u8')
print(json.dumps(out))
`;

function f32file(p: string): Float32Array {
  const b = fs.readFileSync(p);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

test('masked reads equal nibabel get_fdata(float32)[mask].T for scaled BE int16, LE float32 .gz, LE uint16 .gz, at chunk sizes 1 B–1 MiB', (t) => {
  const ref = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY, tmp], { encoding: 'utf8' })) as Record<
    string,
    { slope: number; inter: number; shape: number[] }
  >;
  t.not(ref['be_i2.nii'].slope, 1, 'nibabel chose a real scale factor for int16');
  const mb = fs.readFileSync(path.join(tmp, 'mask.u8'));
  const mask = new Uint8Array(mb.buffer, mb.byteOffset, mb.byteLength);
  for (const name of Object.keys(ref)) {
    const p = path.join(tmp, name);
    const expect = f32file(`${p}.ref`);
    const [nT, nVox] = ref[name].shape;
    t.deepEqual([nT, nVox], [T, mask.reduce((a, b) => a + b, 0)]);
    for (const chunkBytes of [1, 7, 4096, 1 << 20]) {
      const got = readMaskedTimeseries(p, mask, { chunkBytes });
      t.deepEqual([got.nT, got.nVox], [nT, nVox]);
      let worst = 0;
      for (let k = 0; k < expect.length; k++) worst = Math.max(worst, Math.abs(got.data[k] - expect[k]) / Math.max(1, Math.abs(expect[k])));
      // nibabel scales in float32 (two roundings), brainalign in float64 (one): ≤ 2 ulps.
      t.true(worst <= 2.4e-7, `${name} chunk ${chunkBytes}: worst relative difference ${worst}`);
    }
  }
});

test('masked read rejects a mask of the wrong size and non-scalar or 5-D images with InputErrors', (t) => {
  const p = path.join(tmp, 'small.nii.gz');
  writeNifti(p, { dims: [4, 3, 2, 5], data: new Float32Array(120), affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] });
  const e = t.throws(() => readMaskedTimeseries(p, new Uint8Array(23)));
  t.true(isInputError(e));
  t.regex(e.message, /^mask: has 23 voxels but .*small\.nii\.gz volumes have 4×3×2 = 24$/);
  const p5 = path.join(tmp, 'five.nii');
  writeNifti(p5, { dims: [2, 2, 2, 2, 2], data: new Float32Array(32), affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] });
  const e5 = t.throws(() => readMaskedTimeseries(p5, new Uint8Array(8)));
  t.true(isInputError(e5));
  t.regex(e5.message, /expected a 3-D or 4-D image/);
});

test("a sparse 2.1 GiB int16 run (past readFileSync's limit): planted voxels beyond 2 GiB recovered, memory stays bounded", (t) => {
  const p = path.join(tmp, 'huge.nii');
  const [x, y, z, nT] = [64, 64, 64, 4100];
  const volBytes = x * y * z * 2;
  writeNifti(p, { dims: [x, y, z, 1], data: new Int16Array(x * y * z), affine: [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1] });
  const fd = fs.openSync(p, 'r+');
  const hdr = Buffer.alloc(2);
  hdr.writeInt16LE(nT);
  fs.writeSync(fd, hdr, 0, 2, 40 + 2 * 4);
  const size = 352 + volBytes * nT;
  t.true(size > 2 ** 31);
  fs.ftruncateSync(fd, size);
  // Plant value (t + 1) * (j + 1) at a few voxels of a few volumes, some far past 2 GiB.
  const rng = new Rng(11, 'sparse');
  const voxels = Array.from({ length: 6 }, () => rng.int(x * y * z)).sort((a, b) => a - b);
  const vols = [0, 1, 2047, 4096, nT - 1];
  const b = Buffer.alloc(2);
  for (const tt of vols) {
    voxels.forEach((v, j) => {
      b.writeInt16LE(((tt % 1000) + 1) * (j + 1));
      fs.writeSync(fd, b, 0, 2, 352 + tt * volBytes + v * 2);
    });
  }
  fs.closeSync(fd);
  const mask = new Uint8Array(x * y * z);
  for (const v of voxels) mask[v] = 1;
  mask[0] = 1; // an unplanted voxel: always 0
  const rssBefore = process.resourceUsage().maxRSS;
  const ts = readMaskedTimeseries(p, mask);
  const grownMB = (process.resourceUsage().maxRSS - rssBefore) / 1024;
  t.deepEqual([ts.nT, ts.nVox], [nT, voxels.includes(0) ? 6 : 7]);
  const cols = Array.from(mask.keys()).filter((i) => mask[i]);
  let bad = 0;
  for (let tt = 0; tt < nT; tt++) {
    cols.forEach((v, c) => {
      const j = voxels.indexOf(v);
      const want = vols.includes(tt) && j >= 0 ? ((tt % 1000) + 1) * (j + 1) : 0;
      if (ts.data[tt * ts.nVox + c] !== want) bad++;
    });
  }
  t.is(bad, 0);
  t.true(grownMB < 200, `peak RSS grew by ${grownMB.toFixed(0)} MB while reading a ${(size / 2 ** 30).toFixed(2)} GiB file`);
});
