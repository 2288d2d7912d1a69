/**
 * NIfTI conformance: every [A] fact the MANIFEST lists for the nibabel,
 * NIFTI-Reader-JS and nifti-rs test files (plus some [H] cross-checks),
 * asserted through brainalign's reader.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { conformanceRoot } from '../helpers/conformance.js';
import { isInputError } from '../../src/core/errors.js';
import { loadNifti, niftiInfo, readNiftiHeader, type NiftiHeader, type NiftiImage } from '../../src/io/nifti.js';

const root = path.join(conformanceRoot(), 'nifti');
const nib = (f: string) => path.join(root, 'nipy__nibabel/nibabel/tests/data', f);
const js = (f: string) => path.join(root, 'rii-mango__NIFTI-Reader-JS/data', f);
const rs = (f: string) => path.join(root, 'Enet4__nifti-rs/resources', f);
const f32 = Math.fround;

/** CRC-32 of the raw voxel bytes in FILE byte order, as NIFTI-Reader-JS's readImage() hashes them. */
function rawCrc(img: NiftiImage): number {
  const raw = img.getRaw();
  const b = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const copy = Buffer.from(b);
  if (!img.header.littleEndian) {
    const cb = raw.BYTES_PER_ELEMENT;
    if (cb === 2) copy.swap16();
    else if (cb === 4) copy.swap32();
    else if (cb === 8) copy.swap64();
  }
  return zlib.crc32(copy);
}

function isGzip(p: string): boolean {
  const b = Buffer.alloc(2);
  const fd = fs.openSync(p, 'r');
  fs.readSync(fd, b, 0, 2, 0);
  fs.closeSync(fd);
  return b[0] === 0x1f && b[1] === 0x8b;
}

/** Voxel (i, j, k[, t]) of x-fastest data with `comps` interleaved components. */
function at(img: NiftiImage, data: Float32Array, idx: number[], comp = 0): number {
  let flat = 0;
  let stride = 1;
  for (let a = 0; a < idx.length; a++) {
    flat += idx[a] * stride;
    stride *= img.dims[a];
  }
  return data[flat * img.components + comp];
}

function srows(h: NiftiHeader): number[][] {
  return [h.srowX, h.srowY, h.srowZ];
}

const avgHeaderFacts = (t: import('ava').ExecutionContext, h: NiftiHeader) => {
  t.is(h.sizeofHdr, 348);
  t.is(h.regular, 'r');
  t.deepEqual(h.dim, [3, 91, 109, 91, 1, 1, 1, 1]);
  t.is(h.datatype, 2);
  t.is(h.bitpix, 8);
  t.deepEqual(h.pixdim, [0, 2, 2, 2, 1, 1, 1, 1]);
  t.is(h.sclSlope, 0);
  t.is(h.sclInter, 0);
  t.is(h.xyztUnits, 10);
  t.is(h.calMax, 255);
  t.is(h.calMin, 0);
  t.is(h.descrip, 'FSL3.2beta');
  t.is(h.auxFile, 'none');
  t.is(h.qformCode, 0);
  t.is(h.sformCode, 4);
  t.deepEqual(srows(h), [
    [-2, 0, 0, 90],
    [0, 2, 0, -126],
    [0, 0, 2, -72],
  ]);
  t.false(h.littleEndian);
};

test('nibabel example4d.nii.gz: header fields, 2 comment extensions, nib-ls statistics', (t) => {
  const p = nib('example4d.nii.gz');
  const img = loadNifti(p);
  const h = img.header;
  t.is(img.datatype, 'int16');
  t.deepEqual(img.dims, [128, 96, 24, 2]);
  t.deepEqual(
    img.pixdim.map((v) => +v.toFixed(2)),
    [2, 2, 2.2, 2000],
  );
  t.is(img.affineSource, 'sform');
  t.deepEqual(h.dim, [4, 128, 96, 24, 2, 1, 1, 1]);
  t.is(h.bitpix, 16);
  t.is(h.regular, 'r');
  t.is(h.dimInfo, 57);
  t.is(h.datatype, 4);
  t.deepEqual(h.pixdim, [-1, 2, 2, f32(2.19999909), 2000, 1, 1, 1]);
  t.is(h.sliceEnd, 23);
  t.is(h.xyztUnits, 10);
  t.is(h.calMax, 1162);
  t.is(
    Buffer.from(h.raw.subarray(148, 228))
      .toString('latin1')
      .replace(/[\0 ]+$/, ''),
    'FSL3.3\x00 v2.25 NIfTI-1 Single file format',
  );
  t.is(h.descrip, 'FSL3.3');
  t.is(h.qformCode, 1);
  t.is(h.sformCode, 1);
  t.is(h.quaternB, f32(-1.9451068140294884e-26));
  t.is(h.quaternC, f32(-0.9967085123062134));
  t.is(h.quaternD, f32(-0.0810687392950058));
  t.is(h.qoffsetX, f32(117.8551025390625));
  t.is(h.qoffsetY, f32(-35.72294235229492));
  t.is(h.qoffsetZ, f32(-7.248798370361328));
  t.deepEqual(srows(h), [
    [-2.0, 6.71471565e-19, 9.08102451e-18, 117.855103].map(f32),
    [-6.71471565e-19, 1.97371149, -0.355528235, -35.7229424].map(f32),
    [8.25548089e-18, 0.323207617, 2.17108178, -7.24879837].map(f32),
  ]);
  t.deepEqual(
    h.extensions.map((e) => e.code),
    [6, 6],
  );
  t.is(Buffer.from(h.extensions[0].data).toString('latin1').replace(/\0+$/, ''), 'extcomment1');
  t.is(Buffer.from(h.extensions[1].data).toString('latin1').replace(/\0+$/, ''), 'extlongcomment2');
  t.deepEqual(
    h.extensions.map((e) => e.size),
    [32, 32],
  );
  t.is(h.voxOffset, 416);
  t.deepEqual([img.scaling.slope, img.scaling.inter], [1, 0]);
  // nib-ls -s / -s -z / -c
  const d = img.getData();
  t.is(d.length, 589824);
  const counts = new Map<number, number>();
  let zeros = 0,
    nzMin = Infinity,
    max = -Infinity;
  for (const v of d) {
    if (v === 0) {
      zeros++;
      continue;
    }
    counts.set(v, (counts.get(v) ?? 0) + 1);
    nzMin = Math.min(nzMin, v);
    max = Math.max(max, v);
  }
  t.is(d.length - zeros, 229725);
  t.is(zeros, 360099);
  t.is(nzMin, 2);
  t.is(max, 1162);
  t.is(counts.size, 1030);
  t.deepEqual(
    [2, 3, 4, 5].map((v) => counts.get(v)),
    [3, 2, 1, 1],
  );
  t.is(rawCrc(img), 1030030713);
  const info = niftiInfo(p);
  t.is(info.extensions, 2);
  t.deepEqual(info.summary && [info.summary.count, info.summary.nonzero, info.summary.min, info.summary.max], [589824, 229725, 0, 1162]);
});

test('nibabel example_nifti2.nii.gz: NIfTI-2, shape, zooms, 2 extensions, 15360 non-zero in [46, 757]', (t) => {
  const img = loadNifti(nib('example_nifti2.nii.gz'));
  t.is(img.header.version, 2);
  t.is(img.header.magic, 'n+2');
  t.deepEqual(img.dims, [32, 20, 12, 2]);
  t.deepEqual(
    img.pixdim.map((v) => +v.toFixed(2)),
    [2, 2, 2.2, 2000],
  );
  t.is(img.header.extensions.length, 2);
  t.is(img.affineSource, 'sform');
  // nibabel's "null scaling": the identity, whether stored as 1/0 or 0/NaN.
  t.deepEqual([img.scaling.slope, img.scaling.inter], [1, 0]);
  t.is(img.header.voxOffset, 608);
  const d = img.getData();
  let nz = 0,
    lo = Infinity,
    hi = -Infinity;
  for (const v of d)
    if (v !== 0) {
      nz++;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  t.deepEqual([nz, lo, hi], [15360, 46, 757]);
});

test('nibabel standard.nii.gz: full header of the uint8 mask, 30 voxels of 255', (t) => {
  const img = loadNifti(nib('standard.nii.gz'));
  const h = img.header;
  t.deepEqual(h.dim, [3, 4, 5, 7, 1, 1, 1, 1]);
  t.is(h.datatype, 2);
  t.is(h.bitpix, 8);
  t.deepEqual(h.pixdim, [1, 1, 3, 2, 1, 1, 1, 1]);
  t.is(h.dimInfo, 0);
  t.is(h.sliceEnd, 0);
  t.is(h.xyztUnits, 0);
  t.is(h.calMax, 0);
  t.is(h.descrip, '');
  t.is(h.qformCode, 0);
  t.is(h.sformCode, 2);
  t.deepEqual([h.quaternB, h.quaternC, h.quaternD, h.qoffsetX, h.qoffsetY, h.qoffsetZ], [0, 0, 0, 0, 0, 0]);
  t.deepEqual(srows(h), [
    [1, 0, 0, 0],
    [0, 3, 0, 0],
    [0, 0, 2, 0],
  ]);
  t.is(h.regular, '');
  const d = img.getData();
  t.is(d.filter((v) => v === 255).length, 30);
  t.is(d.filter((v) => v !== 0 && v !== 255).length, 0);
});

test('nibabel anatomical.nii: big-endian int16, diagonal (-2, 2, 2) affine, raw range and CRC', (t) => {
  const img = loadNifti(nib('anatomical.nii'));
  t.false(img.header.littleEndian);
  t.deepEqual(img.dims, [33, 41, 25]);
  t.deepEqual(img.header.pixdim.slice(0, 4), [-1, 2, 2, 2]);
  t.is(img.header.descrip, 'spm - 3D normalized');
  t.deepEqual([img.header.qformCode, img.header.sformCode], [2, 2]);
  t.deepEqual([img.affine[0], img.affine[5], img.affine[10]], [-2, 2, 2]);
  const raw = img.getRaw() as Int16Array;
  t.deepEqual([Math.min(...raw), Math.max(...raw)], [-610, 30393]);
  t.is(rawCrc(img), 3570325065);
});

test('nibabel functional.nii: real scl_slope/scl_inter applied, diagonal (-4, 4, 4) affine', (t) => {
  const img = loadNifti(nib('functional.nii'));
  const h = img.header;
  t.deepEqual(img.dims, [17, 21, 3, 20]);
  t.deepEqual(h.pixdim.slice(0, 5), [-1, 4, 4, 8, 2]);
  t.is(h.sclSlope, 0.07540696859359741);
  t.is(h.sclInter, 3100.76171875);
  t.is(h.calMin, 629.826171875);
  t.is(h.calMax, 5571.62158203125);
  t.deepEqual([img.affine[0], img.affine[5], img.affine[10]], [-4, 4, 8]);
  t.true(img.scaling.applied);
  const raw = img.getRaw() as Int16Array;
  const d = img.getData();
  for (const i of [0, 1, 777, raw.length - 1]) t.is(d[i], f32(raw[i] * h.sclSlope + h.sclInter));
});

test('nibabel SPM outputs: big-endian float32 shapes, NaN kept outside the resliced volume', (t) => {
  const a = loadNifti(nib('reoriented_anat_moved.nii'));
  t.deepEqual([a.dims, a.datatype, a.header.littleEndian], [[21, 26, 22], 'float32', false]);
  const b = loadNifti(nib('resampled_anat_moved.nii'));
  t.deepEqual([b.dims, b.datatype, b.header.littleEndian], [[17, 21, 3], 'float32', false]);
  t.true(b.getData().some((v) => Number.isNaN(v)));
});

test('nibabel header-only files: nifti1.hdr/nifti2.hdr parse, their data read fails with an InputError', (t) => {
  const h1 = readNiftiHeader(nib('nifti1.hdr'));
  t.true(h1.littleEndian);
  t.deepEqual([h1.magic, h1.pair, h1.sizeofHdr, h1.datatype], ['ni1', true, 348, 4]);
  t.deepEqual(h1.dim.slice(0, 4), [3, 91, 109, 91]);
  const i2 = loadNifti(nib('nifti2.hdr'));
  t.deepEqual([i2.header.version, i2.header.magic, i2.dims], [2, 'ni2', [91, 109, 91]]);
  t.deepEqual(i2.pixdim, [2, 2, 2]);
  const e = t.throws(() => i2.getData());
  t.true(isInputError(e));
  t.regex(e.message, /nifti2\.img.*not found/);
});

test('nibabel analyze.hdr: rejected as NIfTI (empty magic), reported as big-endian ANALYZE', (t) => {
  const e = t.throws(() => readNiftiHeader(nib('analyze.hdr')));
  t.true(isInputError(e));
  t.regex(e.message, /analyze\.hdr: not a NIfTI-1 file: magic is '' .*big-endian/);
});

test('nibabel row_major.dconn.nii: 6-D NIfTI-2 CIFTI loads, intent 3001, one CIFTI extension', (t) => {
  const img = loadNifti(nib('row_major.dconn.nii'));
  t.deepEqual(img.header.dim, [6, 1, 1, 1, 1, 10, 10, 1]);
  t.is(img.datatype, 'float32');
  t.is(img.header.intentCode, 3001);
  t.deepEqual(
    img.header.extensions.map((e) => e.code),
    [32],
  );
  t.regex(Buffer.from(img.header.extensions[0].data).toString('utf8'), /CIFTI/);
  t.is(img.getData().length, 100);
});

test('NIFTI-Reader-JS avg152T1_LR_nifti(.nii, .nii.gz): NIfTI-1, dims, CRC, full nifti-rs header', (t) => {
  for (const f of ['avg152T1_LR_nifti.nii', 'avg152T1_LR_nifti.nii.gz']) {
    const img = loadNifti(js(f));
    t.is(isGzip(js(f)), f.endsWith('.gz'));
    t.is(img.header.version, 1);
    t.deepEqual(img.dims, [91, 109, 91]);
    t.is(img.header.extensions.length, 0);
    t.is(rawCrc(img), 1033497386);
    avgHeaderFacts(t, img.header);
    t.is(img.header.voxOffset, 352);
    t.is(img.header.magic, 'n+1');
    t.false(img.scaling.applied);
  }
});

test('nifti-rs avg152T1_LR_nifti.hdr.gz: same header as the .nii.gz but vox_offset 0, magic ni1', (t) => {
  const h = readNiftiHeader(rs('avg152T1_LR_nifti.hdr.gz'));
  avgHeaderFacts(t, h);
  t.is(h.voxOffset, 0);
  t.is(h.magic, 'ni1');
});

test('NIFTI-Reader-JS avg152T1_LR_nifti2.nii.gz: NIfTI-2 float32, same values as the uint8 file', (t) => {
  const img = loadNifti(js('avg152T1_LR_nifti2.nii.gz'));
  t.deepEqual([img.header.version, img.dims, img.datatype, img.header.voxOffset], [2, [91, 109, 91], 'float32', 544]);
  t.is(rawCrc(img), 471047545);
  t.deepEqual(img.getData(), loadNifti(js('avg152T1_LR_nifti.nii')).getData());
});

test('NIFTI-Reader-JS big.nii.gz / little.nii.gz: byte orders, CRCs, zstat1 header, equal values', (t) => {
  const big = loadNifti(js('big.nii.gz'));
  const h = big.header;
  t.deepEqual([h.bitpix, h.littleEndian, big.dims], [32, false, [64, 64, 21]]);
  t.is(rawCrc(big), 3243691439);
  t.deepEqual(h.dim, [3, 64, 64, 21, 1, 1, 1, 1]);
  t.deepEqual([h.intentCode, h.datatype], [5, 16]);
  t.deepEqual(h.pixdim, [-1, 4, 4, 6, 1, 1, 1, 1]);
  t.deepEqual(srows(h), [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ]);
  t.deepEqual([h.voxOffset, h.sclSlope, h.sclInter, h.xyztUnits, h.calMax, h.calMin], [352, 0, 0, 10, 25500, 3]);
  t.is(h.descrip, 'FSL3.2beta');
  t.deepEqual([h.qformCode, h.sformCode, h.quaternB, h.quaternC], [1, 0, 0, 1]);
  t.is(big.affineSource, 'qform');
  const little = loadNifti(js('little.nii.gz'));
  t.deepEqual([little.header.bitpix, little.header.littleEndian, little.dims.slice(0, 3)], [32, true, [64, 64, 21]]);
  t.deepEqual(little.header.dim.slice(0, 5), [4, 64, 64, 21, 1]);
  t.is(rawCrc(little), 4006845507);
  const a = big.getData();
  t.deepEqual(a, little.getData());
  let lo = Infinity,
    hi = -Infinity;
  for (const v of a) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  t.is(+lo.toFixed(6), -8.710751);
  t.is(+hi.toFixed(5), 18.58253);
});

test('NIFTI-Reader-JS air/air2 pairs (both halves gzipped): NIfTI-1 and -2, dims, equal CRCs, header round-trip', (t) => {
  for (const [f, v] of [
    ['air.hdr.gz', 1],
    ['air2.hdr.gz', 2],
  ] as const) {
    const img = loadNifti(js(f));
    t.deepEqual([img.header.version, img.header.pair, img.dims], [v, true, [79, 67, 64]]);
    t.is(rawCrc(img), 692149477);
    t.is(img.header.voxOffset, 0);
    t.true(isGzip(js(f)) && isGzip(js(f.replace('.hdr', '.img'))));
  }
  const h = readNiftiHeader(js('air.hdr.gz'));
  t.deepEqual(
    h.pixdim.slice(1, 4).map((x) => +x.toFixed(6)),
    [2.389754, 2.366486, 2.385232],
  );
  // The raw header bytes decompress to exactly the stored header.
  t.deepEqual(Buffer.from(h.raw), zlib.gunzipSync(fs.readFileSync(js('air.hdr.gz'))).subarray(0, 348));
  t.deepEqual(loadNifti(js('air.img.gz')).getData().length, 79 * 67 * 64);
});

test('NIFTI-Reader-JS 5-D files: dims, image bytes, CRC; scaled uint8 with intent 1007', (t) => {
  const s = loadNifti(js('5D_small.nii'));
  t.deepEqual(s.dims, [1, 2, 3, 1, 3]);
  t.is(s.getRaw().byteLength, 18);
  t.is(rawCrc(s), 1168954819);
  t.is(s.header.sclSlope, f32(0.0027581409085541964));
  t.is(s.header.sclInter, f32(0.07691901922225952));
  t.is(s.header.intentCode, 1007);
  const raw = s.getRaw() as Uint8Array;
  const d = s.getData();
  raw.forEach((r, i) => t.is(d[i], f32(r * s.header.sclSlope + s.header.sclInter)));
  const z = loadNifti(js('5D_zeros.nii.gz'));
  t.deepEqual(z.dims, [256, 256, 170, 1, 3]);
  t.is(z.getRaw().byteLength, 33423360);
  t.is(rawCrc(z), 2980574675);
});

test('NIFTI-Reader-JS with_extension.nii.gz: exactly one 384-byte extension (376 payload)', (t) => {
  const img = loadNifti(js('with_extension.nii.gz'));
  const h = img.header;
  t.is(h.version, 1);
  t.is(h.extensions.length, 1);
  t.deepEqual([h.extensions[0].size, h.extensions[0].data.length, h.extensions[0].code], [384, 376, 0]);
  t.deepEqual([h.littleEndian, img.datatype, img.dims, h.voxOffset], [false, 'uint8', [161, 191, 151, 1], 736]);
});

test('NIFTI-Reader-JS not-nifti.nii: not compressed, rejected with an InputError naming the file', (t) => {
  t.false(isGzip(js('not-nifti.nii')));
  const e = t.throws(() => readNiftiHeader(js('not-nifti.nii')));
  t.true(isInputError(e));
  t.true(e.message.startsWith(`${js('not-nifti.nii')}: not a NIfTI file`));
});

test('nifti-rs minimal.*: big-endian uint8 64×64×10 headers and value(i,j,k) = j in every form', (t) => {
  for (const f of ['minimal.hdr', 'minimal.hdr.gz', 'minimal2.hdr', 'minimal.img', 'minimal.img.gz', 'minimal.nii', 'minimal.nii.gz']) {
    const img = loadNifti(rs(f));
    const h = img.header;
    const single = f.startsWith('minimal.nii');
    t.is(h.sizeofHdr, 348);
    t.deepEqual(h.dim, [3, 64, 64, 10, 0, 0, 0, 0]);
    t.deepEqual([h.datatype, h.bitpix], [2, 8]);
    t.deepEqual(h.pixdim, [0, 3, 3, 3, 0, 0, 0, 0]);
    t.deepEqual(srows(h), [
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    t.deepEqual([h.voxOffset, h.magic], single ? [352, 'n+1'] : [0, 'ni1']);
    t.deepEqual([h.sclSlope, h.sclInter, h.sformCode, h.qformCode, h.intentCode, h.xyztUnits, h.sliceCode], [0, 0, 0, 0, 0, 0, 0]);
    t.false(h.littleEndian);
    t.deepEqual(img.dims, [64, 64, 10]);
    const d = img.getData();
    let bad = 0;
    for (let k = 0; k < 10; k++) for (let j = 0; j < 64; j++) for (let i = 0; i < 64; i++) if (d[i + 64 * (j + 64 * k)] !== j) bad++;
    t.is(bad, 0, f);
  }
});

test('nifti-rs 27/*.nii: ten datatypes, value(i,j,k) = 9i + 3j + k', (t) => {
  const codes: Record<string, number> = {
    int8: 256,
    uint8: 2,
    int16: 4,
    uint16: 512,
    int32: 8,
    uint32: 768,
    int64: 1024,
    uint64: 1280,
    float32: 16,
    float64: 64,
  };
  for (const [name, code] of Object.entries(codes)) {
    const img = loadNifti(rs(`27/${name}.nii`));
    t.deepEqual([img.header.datatype, img.datatype, img.header.littleEndian, img.header.voxOffset], [code, name, true, 352]);
    const d = img.getData();
    for (let k = 0; k < 3; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 3; i++) t.is(at(img, d, [i, j, k]), 9 * i + 3 * j + k);
  }
});

test('nifti-rs RGB24/RGBA32: datatypes 128/2304, the six asserted colours, 54 voxels', (t) => {
  const expect: [number[], number[]][] = [
    [
      [0, 0, 0, 0],
      [55, 55, 0],
    ],
    [
      [0, 0, 1, 0],
      [55, 0, 55],
    ],
    [
      [0, 1, 0, 0],
      [0, 55, 55],
    ],
    [
      [0, 0, 0, 1],
      [55, 55, 0],
    ],
    [
      [0, 1, 0, 1],
      [55, 0, 55],
    ],
    [
      [1, 0, 0, 1],
      [0, 55, 55],
    ],
  ];
  for (const [f, code, comps] of [
    ['rgb/4D.nii', 128, 3],
    ['rgba/4D.nii', 2304, 4],
  ] as const) {
    const img = loadNifti(rs(f));
    t.deepEqual([img.header.datatype, img.components, img.dims], [code, comps, [3, 3, 3, 2]]);
    const d = img.getData();
    t.is(d.length / comps, 54);
    for (const [idx, rgb] of expect) {
      const got = Array.from({ length: comps }, (_, c) => at(img, d, idx, c));
      t.deepEqual(got, comps === 4 ? [...rgb, 0] : rgb, `${f} ${idx}`);
    }
  }
  const img3 = loadNifti(rs('rgb/3D.nii'));
  const d = img3.getData();
  const nonzero = new Map([
    ['0,0,0', [55, 55, 0]],
    ['0,0,1', [55, 0, 55]],
    ['0,1,0', [0, 55, 55]],
  ]);
  for (let k = 0; k < 3; k++)
    for (let j = 0; j < 3; j++)
      for (let i = 0; i < 3; i++) {
        t.deepEqual(
          [0, 1, 2].map((c) => at(img3, d, [i, j, k], c)),
          nonzero.get(`${i},${j},${k}`) ?? [0, 0, 0],
        );
      }
  t.deepEqual([img3.header.sformCode, img3.header.qformCode, img3.header.littleEndian], [2, 0, true]);
});

test('nifti-rs complex64/complex128: [0,0]=1+1i, [0,1]=2+2i, [1,0]=3+3i, x-fastest storage', (t) => {
  for (const [f, code] of [
    ['complex/complex32.nii', 32],
    ['complex/complex64.nii', 1792],
  ] as const) {
    const img = loadNifti(rs(f));
    t.deepEqual([img.header.datatype, img.components, img.dims], [code, 2, [3, 3]]);
    const d = img.getData();
    t.deepEqual([at(img, d, [0, 0], 0), at(img, d, [0, 0], 1)], [1, 1]);
    t.deepEqual([at(img, d, [0, 1], 0), at(img, d, [0, 1], 1)], [2, 2]);
    t.deepEqual([at(img, d, [1, 0], 0), at(img, d, [1, 0], 1)], [3, 3]);
    t.deepEqual([d[2], d[3], d[6], d[7]], [3, 3, 2, 2]);
  }
});

test('nifti-rs f32.nii.gz: header and the six asserted voxel values', (t) => {
  const img = loadNifti(rs('f32.nii.gz'));
  const h = img.header;
  t.deepEqual(
    [h.sizeofHdr, h.datatype, h.bitpix, h.voxOffset, h.sclSlope, h.sclInter, h.sformCode, h.qformCode, h.littleEndian],
    [348, 16, 32, 352, 1, 0, 2, 0, true],
  );
  t.deepEqual(h.dim, [3, 11, 11, 11, 1, 1, 1, 1]);
  t.deepEqual(srows(h), [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
  ]);
  const d = img.getData();
  const cases: [number[], number][] = [
    [[5, 5, 5], 1],
    [[5, 0, 0], 0],
    [[0, 5, 0], 0],
    [[0, 0, 5], 0],
    [[5, 0, 4], f32(0.4)],
    [[0, 8, 5], f32(0.8)],
  ];
  for (const [idx, v] of cases) t.is(at(img, d, idx), v);
});

test('nifti-rs minimal_extended_hdr.nii: 8×8 float64 zeros and one "Hello World!" comment extension', (t) => {
  const img = loadNifti(rs('minimal_extended_hdr.nii'));
  t.deepEqual([img.dims, img.datatype, img.header.voxOffset], [[8, 8], 'float64', 384]);
  const ext = img.header.extensions;
  t.deepEqual(
    ext.map((e) => [e.code, e.size]),
    [[6, 32]],
  );
  t.is(Buffer.from(ext[0].data).toString('latin1').replace(/\0+$/, ''), 'Hello World!');
  t.true(img.getData().every((v) => v === 0));
});
