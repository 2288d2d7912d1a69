/**
 * Independent cross-check against nibabel 5 (/usr/bin/python3): for every
 * readable conformance file, brainalign's shape, affine (best, qform, sform)
 * and scaled float32 voxels equal nibabel's `img.affine`, `get_qform()`,
 * `get_sform()` and `get_fdata(dtype=float32)`.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { conformanceRoot } from '../helpers/conformance.js';
import { loadNifti, qformAffine, sformAffine } from '../../src/io/nifti.js';

const root = path.join(conformanceRoot(), 'nifti');
const files = [
  'Enet4__nifti-rs/resources/27/int8.nii',
  'Enet4__nifti-rs/resources/27/uint16.nii',
  'Enet4__nifti-rs/resources/27/uint64.nii',
  'Enet4__nifti-rs/resources/27/int64.nii',
  'Enet4__nifti-rs/resources/27/float64.nii',
  'Enet4__nifti-rs/resources/27/uint32.nii',
  'Enet4__nifti-rs/resources/f32.nii.gz',
  'Enet4__nifti-rs/resources/minimal.nii',
  'Enet4__nifti-rs/resources/minimal.hdr', // (minimal2.hdr + .img.gz: nibabel cannot pair them)
  'nipy__nibabel/nibabel/tests/data/anatomical.nii',
  'nipy__nibabel/nibabel/tests/data/example4d.nii.gz',
  'nipy__nibabel/nibabel/tests/data/example_nifti2.nii.gz',
  'nipy__nibabel/nibabel/tests/data/functional.nii',
  'nipy__nibabel/nibabel/tests/data/reoriented_anat_moved.nii',
  'nipy__nibabel/nibabel/tests/data/resampled_anat_moved.nii',
  'nipy__nibabel/nibabel/tests/data/standard.nii.gz',
  'nipy__nibabel/nibabel/tests/data/row_major.dconn.nii',
  'rii-mango__NIFTI-Reader-JS/data/5D_small.nii',
  'rii-mango__NIFTI-Reader-JS/data/air.hdr.gz',
  'rii-mango__NIFTI-Reader-JS/data/air2.hdr.gz',
  'rii-mango__NIFTI-Reader-JS/data/avg152T1_LR_nifti.nii.gz',
  'rii-mango__NIFTI-Reader-JS/data/avg152T1_LR_nifti2.nii.gz',
  'rii-mango__NIFTI-Reader-JS/data/big.nii.gz',
  'rii-mango__NIFTI-Reader-JS/data/little.nii.gz',
  'rii-mango__NIFTI-Reader-JS/data/with_extension.nii.gz',
];

const PY = `
import sys, json, numpy as np, nibabel as nib
out = {}
tmp = sys.argv[1]
for i, f in enumerate(sys.argv[2:]):
    img = nib.Nifti2Image.load(f) if f.endswith('.dconn.nii') else nib.load(f)  # as plain NIfTI-2, not CIFTI
    h = img.header
    d = np.asarray(img.get_fdata(dtype=np.float32)).ravel(order='F')
    d.astype('<f4').tofile(f'{tmp}/{i}.f32')
    out[f] = dict(shape=list(img.shape), affine=img.affine.tolist(),
                  qform=h.get_qform().tolist() if h['qform_code'] > 0 else None,
                  sform=h.get_sform().tolist() if h['sform_code'] > 0 else None)
print(json.dumps(out))
`;

test("25 conformance files: shape, affines and float32 voxels equal nibabel's", (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-nifti-nib-'));
  try {
    const abs = files.map((f) => path.join(root, f));
    const ref = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY, tmp, ...abs], { encoding: 'utf8', maxBuffer: 1 << 26 })) as Record<
      string,
      { shape: number[]; affine: number[][]; qform: number[][] | null; sform: number[][] | null }
    >;
    abs.forEach((f, i) => {
      const r = ref[f];
      const img = loadNifti(f);
      t.deepEqual(img.dims, r.shape, f);
      const close = (a: ArrayLike<number>, b: number[][], what: string) => {
        const flat = b.flat();
        for (let k = 0; k < 16; k++) t.true(Math.abs(a[k] - flat[k]) <= 1e-5 * (1 + Math.abs(flat[k])), `${f} ${what}[${k}]: ${a[k]} vs ${flat[k]}`);
      };
      close(img.affine, r.affine, 'affine');
      if (r.qform) close(qformAffine(img.header), r.qform, 'qform');
      if (r.sform) close(sformAffine(img.header), r.sform, 'sform');
      const bin = fs.readFileSync(path.join(tmp, `${i}.f32`));
      const expect = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
      const got = img.getData();
      t.is(got.length, expect.length, f);
      let bad = 0;
      for (let k = 0; k < got.length; k++) {
        const a = got[k],
          b = expect[k];
        // nibabel scales in float32 arithmetic (two roundings), brainalign in float64 then rounds once: allow 2 float32 ulps.
        if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 2.4e-7 * Math.abs(b))) bad++;
      }
      t.is(bad, 0, `${f}: ${bad} voxels differ`);
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
