/**
 * `brainalign info` for NIfTI: header fields plus a streamed summary of the
 * scaled voxel values, as plain JSON-serialisable data.
 */
import { statSync } from 'node:fs';
import { SummaryAccumulator, type DataSummary } from '../../core/summary.js';
import { convertToFloat32, scalingOf } from './decode.js';
import { unitNames, shapeOf } from './header.js';
import { bestAffine } from './affine.js';
import { openNifti, streamBlocks } from './read.js';

/** Summary of the scaled values (see DataSummary); `nanCount` repeats `nan` under the name schema brainalign.info/1 gave it first. */
export interface NiftiDataSummary extends DataSummary {
  nanCount: number;
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
  const scaling = scalingOf(h.sclSlope, h.sclInter, o.dt, o.headerPath);
  let summary: NiftiDataSummary | null = null;
  if (opts.summary !== false && !(h.pair && !imageExists(o.imagePath))) {
    const acc = new SummaryAccumulator();
    let buf = new Float32Array(0);
    streamBlocks(o, (4 << 20) / o.dt.bytes, (bytes, _first, n) => {
      const m = n * o.dt.components;
      if (buf.length < m) buf = new Float32Array(m);
      convertToFloat32(bytes, o.dt, scaling, buf, 0);
      acc.add(buf, 0, m);
    });
    const r = acc.result();
    summary = { ...r, nanCount: r.nan };
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
