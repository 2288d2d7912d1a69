/**
 * `brainalign info` for NIfTI: header fields plus a streamed summary of the
 * scaled voxel values, as plain JSON-serialisable data.
 */
import { statSync } from 'node:fs';
import { convertToFloat32, scalingOf } from './decode.js';
import { unitNames, shapeOf } from './header.js';
import { bestAffine } from './affine.js';
import { openNifti, streamBlocks } from './read.js';

export interface NiftiDataSummary {
  /** number of values summarised (voxels × components) */
  count: number;
  /** NaN values, excluded from every other statistic */
  nanCount: number;
  nonzero: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  sum: number;
}

export interface NiftiInfo {
  path: string;
  imagePath: string;
  format: 'nifti1' | 'nifti2';
  layout: 'single' | 'pair';
  byteOrder: 'little' | 'big';
  dims: number[];
  datatype: string;
  datatypeCode: number;
  bitpix: number;
  /** pixdim[1..dim[0]] in the header's units */
  pixdim: number[];
  affine: number[][];
  affineSource: 'sform' | 'qform' | 'base';
  qformCode: number;
  sformCode: number;
  scaling: { slope: number; inter: number; applied: boolean };
  units: { space: string; time: string };
  intent: { code: number; name: string; p1: number; p2: number; p3: number };
  description: string;
  voxOffset: number;
  extensions: number;
  extensionCodes: number[];
  /** over scl-scaled values; null when the image file is absent (header-only pair) */
  summary: NiftiDataSummary | null;
}

/**
 * Header fields and a summary (min, max, mean, sum, nonzero count over the
 * SCALED values) of a NIfTI file, streamed block by block so memory stays
 * bounded. Values are plain numbers/strings/arrays (JSON-serialisable).
 */
export function niftiInfo(path: string, opts: { summary?: boolean } = {}): NiftiInfo {
  const o = openNifti(path);
  const h = o.header;
  const { affine, source } = bestAffine(h);
  const scaling = scalingOf(h.sclSlope, h.sclInter, o.dt);
  let summary: NiftiDataSummary | null = null;
  if (opts.summary !== false && !(h.pair && !imageExists(o.imagePath))) {
    let nan = 0, nonzero = 0, sum = 0, count = 0;
    let min = Infinity, max = -Infinity;
    let buf = new Float32Array(0);
    streamBlocks(o, (4 << 20) / o.dt.bytes, (bytes, _first, n) => {
      const m = n * o.dt.components;
      if (buf.length < m) buf = new Float32Array(m);
      convertToFloat32(bytes, o.dt, scaling, buf, 0);
      // Locals, not the closure's variables, in the hot loop (V8 keeps
      // captured mutable variables in a heap context); block partial sums
      // also keep float64 accumulation error small on long runs.
      let s = 0, lo = Infinity, hi = -Infinity, nz = 0, nn = 0;
      for (let i = 0; i < m; i++) {
        const v = buf[i];
        if (v !== v) { nn++; continue; }
        if (v !== 0) nz++;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        s += v;
      }
      sum += s;
      nan += nn;
      nonzero += nz;
      if (lo < min) min = lo;
      if (hi > max) max = hi;
      count += m;
    });
    const finite = count - nan;
    summary = {
      count, nanCount: nan, nonzero, sum,
      min: finite > 0 ? min : null,
      max: finite > 0 ? max : null,
      mean: finite > 0 ? sum / finite : null,
    };
  }
  return {
    path: o.headerPath,
    imagePath: o.imagePath,
    format: h.version === 1 ? 'nifti1' : 'nifti2',
    layout: h.pair ? 'pair' : 'single',
    byteOrder: h.littleEndian ? 'little' : 'big',
    dims: shapeOf(h),
    datatype: o.dt.name,
    datatypeCode: o.dt.code,
    bitpix: h.bitpix,
    pixdim: h.pixdim.slice(1, 1 + h.dim[0]),
    affine: [0, 1, 2, 3].map((r) => Array.from(affine.subarray(4 * r, 4 * r + 4))),
    affineSource: source,
    qformCode: h.qformCode,
    sformCode: h.sformCode,
    scaling: { ...scaling },
    units: unitNames(h.xyztUnits),
    intent: { code: h.intentCode, name: h.intentName, p1: h.intentP1, p2: h.intentP2, p3: h.intentP3 },
    description: h.descrip,
    voxOffset: h.voxOffset,
    extensions: h.extensions.length,
    extensionCodes: h.extensions.map((e) => e.code),
    summary,
  };
}

function imageExists(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
