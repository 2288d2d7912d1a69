/**
 * niftiInfo (for `brainalign info`): header fields and a streamed summary of
 * the SCALED values equal numpy's statistics over nibabel's get_fdata().
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { conformanceRoot } from '../helpers/conformance.js';
import { niftiInfo } from '../../src/io/nifti.js';

const data = path.join(conformanceRoot(), 'nifti/nipy__nibabel/nibabel/tests/data');
const js = path.join(conformanceRoot(), 'nifti/rii-mango__NIFTI-Reader-JS/data');

const PY = `
import sys, json, numpy as np, nibabel as nib
out = {}
for f in sys.argv[1:]:
    d = nib.load(f).get_fdata(dtype=np.float64)
    fin = d[~np.isnan(d)]
    out[f] = dict(count=int(d.size), nan=int(np.isnan(d).sum()), nonzero=int(np.count_nonzero(fin)),
                  min=float(fin.min()), max=float(fin.max()), mean=float(fin.mean()), sum=float(fin.sum()))
print(json.dumps(out))
`;

test('summary over scaled values (functional.nii slope/inter, NaNs in resampled_anat_moved.nii, 5-D scaled uint8) equals numpy over nibabel', (t) => {
  const files = [
    path.join(data, 'functional.nii'),
    path.join(data, 'resampled_anat_moved.nii'),
    path.join(js, '5D_small.nii'),
    path.join(data, 'example4d.nii.gz'),
  ];
  const ref = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY, ...files], { encoding: 'utf8' })) as Record<
    string,
    { count: number; nan: number; nonzero: number; min: number; max: number; mean: number; sum: number }
  >;
  for (const f of files) {
    const s = niftiInfo(f).summary;
    const r = ref[f];
    if (!s) return t.fail(`${f}: no summary`);
    t.deepEqual([s.count, s.nanCount, s.nonzero], [r.count, r.nan, r.nonzero], f);
    t.is(s.nan, s.nanCount, f);
    // Values are float32 after scaling in brainalign, float64 in this reference.
    for (const k of ['min', 'max', 'mean'] as const) t.true(Math.abs((s[k] ?? NaN) - r[k]) <= 1e-6 * Math.abs(r[k]) + 1e-6, `${f} ${k}: ${s[k]} vs ${r[k]}`);
    t.true(Math.abs((s.sum ?? NaN) - r.sum) <= 1e-6 * Math.abs(r.sum), `${f} sum`);
  }
});

test('header fields: dims, dtype, affine, scaling, units, intent, description, extensions; JSON round-trips', (t) => {
  const info = niftiInfo(path.join(data, 'functional.nii'));
  t.deepEqual(JSON.parse(JSON.stringify(info)), info);
  t.deepEqual([info.format, info.layout, info.byteOrder, info.dims, info.datatype, info.bitpix], ['nifti1', 'single', 'little', [17, 21, 3, 20], 'int16', 16]);
  t.deepEqual(info.pixdim, [4, 4, 8, 2]);
  t.deepEqual(
    info.affine.map((r) => [r[0], r[1], r[2]]),
    [
      [-4, 0, 0],
      [0, 4, 0],
      [0, 0, 8],
      [0, 0, 0],
    ],
  );
  t.deepEqual(info.scaling, { slope: 0.07540696859359741, inter: 3100.76171875, applied: true });
  const z = niftiInfo(path.join(js, 'big.nii.gz'));
  t.deepEqual([z.units, z.intent.code, z.description, z.affineSource, z.extensions], [{ space: 'mm', time: 's' }, 5, 'FSL3.2beta', 'qform', 0]);
  const e = niftiInfo(path.join(data, 'example4d.nii.gz'));
  t.deepEqual([e.extensions, e.extensionCodes], [2, [6, 6]]);
  const hdrOnly = niftiInfo(path.join(data, 'nifti1.hdr'));
  t.deepEqual([hdrOnly.layout, hdrOnly.summary], ['pair', null]);
});
