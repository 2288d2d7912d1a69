/**
 * NIfTI-1 writing: files written by brainalign read back identically in
 * nibabel (data, affine, qform, units, intent, description) and in
 * brainalign's own reader.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isInputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/prng.js';
import { affineToQform, loadNifti, niftiInfo, qformAffine, readNiftiHeader, writeNifti, type NiftiWriteInput } from '../../src/io/nifti.js';
import { conformanceRoot } from '../helpers/conformance.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-nifti-w-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** An oblique, left-handed affine: rotation about z by 20° and about x by -8°, zooms (2, 2.5, 3), x flipped. */
function obliqueAffine(): number[] {
  const a = (20 * Math.PI) / 180,
    b = (-8 * Math.PI) / 180;
  const rz = [
    [Math.cos(a), -Math.sin(a), 0],
    [Math.sin(a), Math.cos(a), 0],
    [0, 0, 1],
  ];
  const rx = [
    [1, 0, 0],
    [0, Math.cos(b), -Math.sin(b)],
    [0, Math.sin(b), Math.cos(b)],
  ];
  const z = [-2, 2.5, 3];
  const m: number[] = [];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += rz[i][k] * rx[k][j];
      m.push(s * z[j]);
    }
    m.push([-90.5, 126.25, -72][i]);
  }
  return [m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], m[10], m[11], 0, 0, 0, 1];
}

const PY = `
import sys, json, numpy as np, nibabel as nib
out = {}
for f in sys.argv[1:]:
    img = nib.load(f); h = img.header
    d = np.asanyarray(img.dataobj)
    out[f] = dict(shape=list(img.shape), dtype=str(d.dtype), data=d.ravel(order='F').astype(float).tolist(),
                  affine=img.affine.tolist(), qform=img.get_qform().tolist(), sform=img.get_sform().tolist(),
                  codes=[int(h['qform_code']), int(h['sform_code'])], units=list(h.get_xyzt_units()),
                  intent_code=int(h['intent_code']), intent_name=h['intent_name'].item().decode(),
                  descrip=h['descrip'].item().decode(), zooms=[float(z) for z in h.get_zooms()],
                  scaling=[float(img.dataobj.slope), float(img.dataobj.inter)])
print(json.dumps(out))
`;

interface Ref {
  shape: number[];
  dtype: string;
  data: number[];
  affine: number[][];
  qform: number[][];
  sform: number[][];
  codes: number[];
  units: string[];
  intent_code: number;
  intent_name: string;
  descrip: string;
  zooms: number[];
  scaling: number[];
}

test('written .nii/.nii.gz files read back identically in nibabel: data, sform, qform, units, intent, description', (t) => {
  const rng = new Rng(7, 'nifti-write');
  const cases: { file: string; img: NiftiWriteInput; dtype: string; units: string[] }[] = [
    {
      file: 'stat.nii.gz',
      dtype: 'float32',
      units: ['mm', 'sec'],
      img: {
        dims: [6, 5, 4, 3],
        data: rng.normals(360, 2, 3),
        affine: obliqueAffine(),
        pixdim: [2, 2.5, 3, 1.5],
        spaceUnit: 'mm',
        timeUnit: 's',
        intentCode: 3,
        intentName: 'ttest',
        description: 'brainalign r map, sub-01',
      },
    },
    {
      file: 'int16.nii',
      dtype: 'int16',
      units: ['micron', 'msec'],
      img: {
        dims: [7, 3, 2],
        data: Int16Array.from({ length: 42 }, (_, i) => ((i * 977) % 65536) - 32768),
        affine: [1.5, 0, 0, -3, 0, 1.5, 0, 4, 0, 0, 4, 5, 0, 0, 0, 1],
        spaceUnit: 'um',
        timeUnit: 'ms',
        intentCode: 1002,
        intentName: 'label',
        description: '',
      },
    },
    {
      file: 'uint8.nii.gz',
      dtype: 'uint8',
      units: ['mm', 'sec'],
      img: { dims: [4, 4], data: Uint8Array.from({ length: 16 }, (_, i) => i * 16), affine: [3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1] },
    },
    {
      file: 'int32.nii.gz',
      dtype: 'int32',
      units: ['meter', 'sec'],
      img: { dims: [3, 2, 2], data: Int32Array.from({ length: 12 }, (_, i) => (i - 6) * 100003), affine: obliqueAffine(), spaceUnit: 'm' },
    },
    {
      file: 'f64.nii',
      dtype: 'float64',
      units: ['mm', 'sec'],
      img: { dims: [2, 3, 4, 5, 2], data: Float64Array.from(rng.normals(240), (v) => v * 1e10), affine: obliqueAffine() },
    },
  ];
  const paths = cases.map((c) => path.join(tmp, c.file));
  cases.forEach((c, i) => writeNifti(paths[i], c.img));
  const ref = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY, ...paths], { encoding: 'utf8', maxBuffer: 1 << 26 })) as Record<string, Ref>;
  cases.forEach((c, i) => {
    const r = ref[paths[i]];
    const f = c.file;
    t.deepEqual(r.shape, c.img.dims, f);
    t.is(r.dtype, c.dtype, f);
    t.deepEqual(r.data, Array.from(c.img.data), `${f} data`);
    // The sform holds the affine exactly up to float32 storage.
    t.deepEqual(
      r.sform.flat(),
      Array.from(c.img.affine, (v) => Math.fround(v)),
      `${f} sform`,
    );
    t.deepEqual(r.affine.flat(), r.sform.flat(), `${f} affine = sform`);
    // The qform encodes the same rigid+zoom transform to float32 precision.
    r.qform
      .flat()
      .forEach((v, k) => t.true(Math.abs(v - c.img.affine[k]) < 2e-5 * (1 + Math.abs(c.img.affine[k])), `${f} qform[${k}] ${v} vs ${c.img.affine[k]}`));
    t.deepEqual(r.codes, [1, 2], `${f} qform/sform codes`);
    t.deepEqual(r.scaling, [1, 0], `${f} scaling`);
    t.deepEqual(r.units, c.units, `${f} units`);
    t.is(r.intent_code, c.img.intentCode ?? 0);
    t.is(r.intent_name, c.img.intentName ?? '');
    t.is(r.descrip, c.img.description ?? '');
    if (c.img.pixdim) t.is(r.zooms[3], c.img.pixdim[3], `${f} TR`);
    // ... and brainalign's reader agrees with both.
    const back = loadNifti(paths[i]);
    t.deepEqual(back.dims, c.img.dims);
    t.deepEqual(Array.from(back.getRaw() as ArrayLike<number>), Array.from(c.img.data));
    t.deepEqual(Array.from(back.affine), r.affine.flat());
    t.is(niftiInfo(paths[i]).description, c.img.description ?? '');
  });
});

test('writing rejects inconsistent input with an InputError naming the file', (t) => {
  const p = path.join(tmp, 'bad.nii.gz');
  const eye = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  for (const [img, re] of [
    [{ dims: [2, 2, 2], data: new Float32Array(7), affine: eye }, /dims 2×2×2 = 8 voxels but data has 7/],
    [{ dims: [2, 2], data: new Float32Array(4), affine: eye, description: 'x'.repeat(80) }, /description is 80 bytes/],
    [{ dims: [2, 2], data: new Float32Array(4), affine: eye.slice(0, 12) }, /affine must have 16 entries/],
    [{ dims: [0, 2], data: new Float32Array(0), affine: eye }, /dimension 0 is not an integer in 1\.\.32767/],
  ] as [NiftiWriteInput, RegExp][]) {
    const e = t.throws(() => writeNifti(p, img));
    t.true(isInputError(e));
    t.regex(e.message, re);
  }
  t.false(fs.existsSync(p));
});

test('affine → qform → affine recovers 300 seeded rigid+zoom affines to 1e-9 (180° turns to 1e-6) incl. left-handed', (t) => {
  const rng = new Rng(5, 'qform');
  const p = path.join(tmp, 'q.nii');
  writeNifti(p, { dims: [1], data: new Float32Array(1), affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] });
  const base = readNiftiHeader(p);
  let worst = 0,
    worst180 = 0;
  for (let n = 0; n < 300; n++) {
    // Random unit quaternion; every 10th is a pure 180° turn (a = 0), the numerically hard case.
    let [a, b, c, d] = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
    if (n % 10 === 0) a = 0;
    const norm = Math.hypot(a, b, c, d);
    [a, b, c, d] = [a / norm, b / norm, c / norm, d / norm];
    const r = [
      a * a + b * b - c * c - d * d,
      2 * (b * c - a * d),
      2 * (b * d + a * c),
      2 * (b * c + a * d),
      a * a + c * c - b * b - d * d,
      2 * (c * d - a * b),
      2 * (b * d - a * c),
      2 * (c * d + a * b),
      a * a + d * d - b * b - c * c,
    ];
    const zooms = [rng.range(0.5, 4), rng.range(0.5, 4), rng.range(0.5, 4)];
    const flip = n % 3 === 0 ? -1 : 1;
    const m = [0, 1, 2].flatMap((i) => [...[0, 1, 2].map((j) => r[3 * i + j] * zooms[j] * (j === 2 ? flip : 1)), rng.range(-100, 100)]).concat([0, 0, 0, 1]);
    const q = affineToQform(m);
    const h = {
      ...base,
      quaternB: q.b,
      quaternC: q.c,
      quaternD: q.d,
      qoffsetX: q.qx,
      qoffsetY: q.qy,
      qoffsetZ: q.qz,
      pixdim: [q.qfac, ...q.zooms, 1, 1, 1, 1],
    };
    const back = qformAffine(h);
    let e = 0;
    for (let k = 0; k < 16; k++) e = Math.max(e, Math.abs(back[k] - m[k]));
    if (n % 10 === 0) worst180 = Math.max(worst180, e);
    else worst = Math.max(worst, e);
  }
  t.true(worst < 1e-9, `worst entry error ${worst}`);
  // The qform stores only (b, c, d); a = sqrt(1 - b² - c² - d²) near 0 keeps about half the digits (√eps ≈ 1.5e-8, times zooms ≤ 4).
  t.true(worst180 < 1e-6, `worst entry error for 180° turns ${worst180}`);
});

test('a .hdr/.img pair opens from either half; a pair magic in a .nii without its .img is an InputError', (t) => {
  const src = path.join(conformanceRoot(), 'nifti/Enet4__nifti-rs/resources');
  const viaImg = loadNifti(path.join(src, 'minimal.img'));
  const viaHdr = loadNifti(path.join(src, 'minimal.hdr'));
  t.deepEqual(viaImg.getData(), viaHdr.getData());
  const p = path.join(tmp, 'pairmagic.nii');
  fs.copyFileSync(path.join(src, 'minimal.hdr'), p);
  const e = t.throws(() => loadNifti(p).getData());
  t.true(isInputError(e));
  t.regex(e.message, /pairmagic\.img not found/);
});
