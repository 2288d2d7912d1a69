/**
 * Writing NIfTI-1 single files (.nii, or .nii.gz streamed through deflate),
 * atomically. Both transforms are stored: the sform exactly (as float32) and
 * the qform as its closest rigid+zoom decomposition, so readers that prefer
 * either one agree.
 */
import * as zlib from 'node:zlib';
import { writeChunksAtomic } from '../../core/atomic.js';
import { InputError } from '../../core/errors.js';
import { affineToQform } from './affine.js';
import { SyncZlib } from './zlib-sync.js';

export interface NiftiWriteInput {
  /** shape, x fastest: [x], [x, y], [x, y, z], [x, y, z, t], ... (1–7 axes) */
  dims: number[];
  data: Float32Array | Float64Array | Int16Array | Int32Array | Uint8Array;
  /** voxel → world (mm), 4×4 row-major */
  affine: ArrayLike<number>;
  /** voxel sizes then TR etc.; spatial sizes are taken from the affine, entries from index 3 on are stored as pixdim[4..] */
  pixdim?: number[];
  spaceUnit?: 'mm' | 'um' | 'm';
  timeUnit?: 's' | 'ms';
  intentCode?: number;
  intentName?: string;
  description?: string;
  /** qform_code to store (default 1, scanner) */
  qformCode?: number;
  /** sform_code to store (default 2, aligned) */
  sformCode?: number;
}

const SPACE_CODES = { m: 1, mm: 2, um: 3 } as const;
const TIME_CODES = { s: 8, ms: 16 } as const;

function datatypeOf(data: NiftiWriteInput['data']): { code: number; bitpix: number } {
  if (data instanceof Float32Array) return { code: 16, bitpix: 32 };
  if (data instanceof Float64Array) return { code: 64, bitpix: 64 };
  if (data instanceof Int16Array) return { code: 4, bitpix: 16 };
  if (data instanceof Int32Array) return { code: 8, bitpix: 32 };
  return { code: 2, bitpix: 8 };
}

/** The 352-byte little-endian NIfTI-1 header (+ empty extender) for `img`. */
export function buildNifti1Header(img: NiftiWriteInput, where: string): Uint8Array {
  const nd = img.dims.length;
  if (nd < 1 || nd > 7) throw new InputError(where, `cannot write ${nd}-D data (NIfTI-1 holds 1–7 axes)`);
  for (const d of img.dims) {
    if (!Number.isInteger(d) || d < 1 || d > 32767) throw new InputError(where, `dimension ${d} is not an integer in 1..32767`);
  }
  const n = img.dims.reduce((a, b) => a * b, 1);
  if (n !== img.data.length) throw new InputError(where, `dims ${img.dims.join('×')} = ${n} voxels but data has ${img.data.length}`);
  if (img.affine.length !== 16) throw new InputError(where, `affine must have 16 entries (4×4 row-major), got ${img.affine.length}`);
  for (let i = 0; i < 16; i++) if (!Number.isFinite(img.affine[i])) throw new InputError(where, `affine entry ${i} is not finite`);
  const desc = Buffer.from(img.description ?? '', 'latin1');
  if (desc.length > 79) throw new InputError(where, `description is ${desc.length} bytes; NIfTI-1 holds at most 79`);
  const iname = Buffer.from(img.intentName ?? '', 'latin1');
  if (iname.length > 15) throw new InputError(where, `intent name is ${iname.length} bytes; NIfTI-1 holds at most 15`);

  const buf = Buffer.alloc(352);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const { code, bitpix } = datatypeOf(img.data);
  const q = affineToQform(img.affine);
  dv.setInt32(0, 348, true);
  buf.write('r', 38, 'latin1');
  dv.setInt16(40, nd, true);
  for (let i = 1; i <= 7; i++) dv.setInt16(40 + 2 * i, i <= nd ? img.dims[i - 1] : 1, true);
  dv.setInt16(68, img.intentCode ?? 0, true);
  dv.setInt16(70, code, true);
  dv.setInt16(72, bitpix, true);
  const pix = [q.qfac, q.zooms[0], q.zooms[1], q.zooms[2], 1, 1, 1, 1];
  const extra = img.pixdim?.slice(3) ?? [];
  for (let i = 0; i < extra.length && 4 + i < 8; i++) pix[4 + i] = extra[i];
  for (let i = 0; i < 8; i++) dv.setFloat32(76 + 4 * i, pix[i], true);
  dv.setFloat32(108, 352, true);
  dv.setFloat32(112, 1, true);
  dv.setFloat32(116, 0, true);
  dv.setUint8(123, SPACE_CODES[img.spaceUnit ?? 'mm'] | TIME_CODES[img.timeUnit ?? 's']);
  desc.copy(buf, 148);
  dv.setInt16(252, img.qformCode ?? 1, true);
  dv.setInt16(254, img.sformCode ?? 2, true);
  dv.setFloat32(256, q.b, true);
  dv.setFloat32(260, q.c, true);
  dv.setFloat32(264, q.d, true);
  dv.setFloat32(268, q.qx, true);
  dv.setFloat32(272, q.qy, true);
  dv.setFloat32(276, q.qz, true);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) dv.setFloat32(280 + 16 * r + 4 * c, img.affine[4 * r + c], true);
  iname.copy(buf, 328);
  buf.write('n+1\0', 344, 'latin1');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Write `img` as a NIfTI-1 single file at `path` (gzip-compressed when the
 * path ends in .gz), atomically. Data are stored in their own type with
 * scl_slope 1, scl_inter 0; units default to mm and s.
 */
export function writeNifti(path: string, img: NiftiWriteInput): void {
  const header = buildNifti1Header(img, path);
  // Little-endian host (asserted in decode.ts): the typed array's bytes are already the file's bytes.
  const bytes = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  const slice = 4 << 20;
  function* raw(): Generator<Uint8Array> {
    yield header;
    for (let o = 0; o < bytes.length; o += slice) yield bytes.subarray(o, Math.min(bytes.length, o + slice));
  }
  if (!/\.gz$/i.test(path)) {
    writeChunksAtomic(path, raw());
    return;
  }
  function* gz(): Generator<Uint8Array> {
    const z = new SyncZlib(zlib.createGzip({ level: 6, chunkSize: 1 << 20 }));
    try {
      for (const c of raw()) {
        const out = z.process(c, zlib.constants.Z_NO_FLUSH);
        if (out.length) yield out;
      }
      yield z.process(new Uint8Array(0), zlib.constants.Z_FINISH);
    } finally {
      z.close();
    }
  }
  writeChunksAtomic(path, gz());
}
