/**
 * NIfTI-1 / NIfTI-2 header parsing. Bytes in, a typed header out ("parse,
 * don't validate"): every later stage trusts these fields, so everything that
 * could make a reader index out of bounds (dims, datatype, vox_offset) is
 * checked here and reported as an InputError naming the file.
 */
import { InputError } from '../../core/errors.js';

/** Storage description of one NIfTI datatype code. */
export interface DatatypeInfo {
  code: number;
  name: string;
  /** bytes per voxel (all components) */
  bytes: number;
  /** values per voxel: 1 scalar, 2 complex, 3 RGB, 4 RGBA */
  components: number;
  /** bytes per component, the unit of byte swapping */
  componentBytes: number;
}

const DATATYPES: readonly DatatypeInfo[] = [
  { code: 2, name: 'uint8', bytes: 1, components: 1, componentBytes: 1 },
  { code: 4, name: 'int16', bytes: 2, components: 1, componentBytes: 2 },
  { code: 8, name: 'int32', bytes: 4, components: 1, componentBytes: 4 },
  { code: 16, name: 'float32', bytes: 4, components: 1, componentBytes: 4 },
  { code: 32, name: 'complex64', bytes: 8, components: 2, componentBytes: 4 },
  { code: 64, name: 'float64', bytes: 8, components: 1, componentBytes: 8 },
  { code: 128, name: 'rgb24', bytes: 3, components: 3, componentBytes: 1 },
  { code: 256, name: 'int8', bytes: 1, components: 1, componentBytes: 1 },
  { code: 512, name: 'uint16', bytes: 2, components: 1, componentBytes: 2 },
  { code: 768, name: 'uint32', bytes: 4, components: 1, componentBytes: 4 },
  { code: 1024, name: 'int64', bytes: 8, components: 1, componentBytes: 8 },
  { code: 1280, name: 'uint64', bytes: 8, components: 1, componentBytes: 8 },
  { code: 1792, name: 'complex128', bytes: 16, components: 2, componentBytes: 8 },
  { code: 2304, name: 'rgba32', bytes: 4, components: 4, componentBytes: 1 },
];

/** The datatype table entry for a code, or undefined if brainalign cannot read it. */
export function datatypeInfo(code: number): DatatypeInfo | undefined {
  return DATATYPES.find((d) => d.code === code);
}

export interface NiftiExtension {
  /** ecode (6 = comment, 32 = CIFTI, ...) */
  code: number;
  /** esize: bytes including the 8-byte esize/ecode prefix */
  size: number;
  /** the esize - 8 payload bytes */
  data: Uint8Array;
}

export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  /** true for .hdr/.img pairs (magic ni1/ni2) */
  pair: boolean;
  sizeofHdr: number;
  magic: string;
  /** the ANALYZE `regular` character ('r' or '') */
  regular: string;
  dimInfo: number;
  /** dim[0..7] as stored; dim[0] is the number of dimensions */
  dim: number[];
  intentP1: number;
  intentP2: number;
  intentP3: number;
  intentCode: number;
  intentName: string;
  datatype: number;
  bitpix: number;
  sliceStart: number;
  /** pixdim[0..7]; pixdim[0] is qfac */
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  sliceEnd: number;
  sliceCode: number;
  xyztUnits: number;
  calMax: number;
  calMin: number;
  sliceDuration: number;
  toffset: number;
  descrip: string;
  auxFile: string;
  qformCode: number;
  sformCode: number;
  quaternB: number;
  quaternC: number;
  quaternD: number;
  qoffsetX: number;
  qoffsetY: number;
  qoffsetZ: number;
  srowX: number[];
  srowY: number[];
  srowZ: number[];
  extensions: NiftiExtension[];
  /** the fixed header bytes as stored (348 or 540, file byte order), for round trips and raw-field checks */
  raw: Uint8Array;
}

/** Bytes needed to parse the fixed header of either version (NIfTI-2 is 540, plus 4 extender bytes). */
export const HEADER_PROBE_BYTES = 544;

interface Field {
  i8(o: number): number;
  i16(o: number): number;
  i32(o: number): number;
  i64(o: number): number;
  f32(o: number): number;
  f64(o: number): number;
  str(o: number, n: number): string;
}

function fields(bytes: Uint8Array, le: boolean, where: string): Field {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    i8: (o) => dv.getUint8(o),
    i16: (o) => dv.getInt16(o, le),
    i32: (o) => dv.getInt32(o, le),
    i64: (o) => {
      const v = dv.getBigInt64(o, le);
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new InputError(where, `64-bit header field at byte ${o} is out of range (${v})`);
      }
      return Number(v);
    },
    f32: (o) => dv.getFloat32(o, le),
    f64: (o) => dv.getFloat64(o, le),
    str: (o, n) => {
      let end = o;
      while (end < o + n && bytes[end] !== 0) end++;
      // Writers pad with spaces as often as with NULs (FSL's aux_file 'none   '); neither is content.
      return Buffer.from(bytes.buffer, bytes.byteOffset + o, end - o)
        .toString('latin1')
        .replace(/ +$/, '');
    },
  };
}

/**
 * Detect version and byte order from sizeof_hdr (348 → NIfTI-1, 540 → NIfTI-2)
 * read both ways, as the standard prescribes.
 */
function detect(bytes: Uint8Array, where: string): { version: 1 | 2; le: boolean } {
  if (bytes.length < 348) throw new InputError(where, `truncated header: ${bytes.length} bytes, a NIfTI header needs at least 348`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = dv.getInt32(0, true);
  const be = dv.getInt32(0, false);
  if (le === 348 || be === 348) return { version: 1, le: le === 348 };
  if (le === 540 || be === 540) {
    if (bytes.length < 540) throw new InputError(where, `truncated header: ${bytes.length} bytes, a NIfTI-2 header needs 540`);
    return { version: 2, le: le === 540 };
  }
  throw new InputError(where, `not a NIfTI file: sizeof_hdr is ${le} (expected 348 or 540)`);
}

/**
 * The qform quaternion and offsets and the three sform rows: 15 consecutive
 * floats from `at`, laid out the same in both versions (float32 in NIfTI-1,
 * float64 in NIfTI-2; `width` bytes each).
 */
function orientation(
  float: (offset: number) => number,
  at: number,
  width: number,
): Pick<NiftiHeader, 'quaternB' | 'quaternC' | 'quaternD' | 'qoffsetX' | 'qoffsetY' | 'qoffsetZ' | 'srowX' | 'srowY' | 'srowZ'> {
  const v = (i: number): number => float(at + width * i);
  const row = (first: number): number[] => range(4).map((i) => v(first + i));
  return { quaternB: v(0), quaternC: v(1), quaternD: v(2), qoffsetX: v(3), qoffsetY: v(4), qoffsetZ: v(5), srowX: row(6), srowY: row(10), srowZ: row(14) };
}

/**
 * Parse a NIfTI-1 or NIfTI-2 header from a file's first bytes (at least
 * 348/540). Extensions are parsed from whatever `bytes` holds beyond the
 * fixed header, up to vox_offset (single files) or the end (pair headers).
 * Returns the typed header; throws InputError naming `where` on bad fields.
 */
export function parseNiftiHeader(bytes: Uint8Array, where: string): NiftiHeader {
  const { version, le } = detect(bytes, where);
  const f = fields(bytes, le, where);
  let h: Omit<NiftiHeader, 'extensions' | 'raw'>;
  let hdrEnd: number;
  if (version === 1) {
    const magic = f.str(344, 4);
    if (magic !== 'n+1' && magic !== 'ni1') {
      throw new InputError(
        where,
        `not a NIfTI-1 file: magic is '${printable(magic)}' (expected 'n+1' or 'ni1'; ANALYZE-7.5 ${le ? 'little' : 'big'}-endian headers are not supported)`,
      );
    }
    h = {
      version,
      littleEndian: le,
      pair: magic === 'ni1',
      sizeofHdr: 348,
      magic,
      regular: f.str(38, 1),
      dimInfo: f.i8(39),
      dim: range(8).map((i) => f.i16(40 + 2 * i)),
      intentP1: f.f32(56),
      intentP2: f.f32(60),
      intentP3: f.f32(64),
      intentCode: f.i16(68),
      datatype: f.i16(70),
      bitpix: f.i16(72),
      sliceStart: f.i16(74),
      pixdim: range(8).map((i) => f.f32(76 + 4 * i)),
      voxOffset: f.f32(108),
      sclSlope: f.f32(112),
      sclInter: f.f32(116),
      sliceEnd: f.i16(120),
      sliceCode: f.i8(122),
      xyztUnits: f.i8(123),
      calMax: f.f32(124),
      calMin: f.f32(128),
      sliceDuration: f.f32(132),
      toffset: f.f32(136),
      descrip: f.str(148, 80),
      auxFile: f.str(228, 24),
      qformCode: f.i16(252),
      sformCode: f.i16(254),
      ...orientation(f.f32, 256, 4),
      intentName: f.str(328, 16),
    };
    hdrEnd = 348;
  } else {
    const magic = f.str(4, 8);
    const tail = bytes.subarray(8, 12);
    if ((magic !== 'n+2' && magic !== 'ni2') || tail[0] !== 0x0d || tail[1] !== 0x0a || tail[2] !== 0x1a || tail[3] !== 0x0a) {
      throw new InputError(where, `not a NIfTI-2 file: magic is '${printable(magic)}' (expected 'n+2' or 'ni2' followed by \\r\\n\\x1a\\n)`);
    }
    h = {
      version,
      littleEndian: le,
      pair: magic === 'ni2',
      sizeofHdr: 540,
      magic,
      regular: '',
      datatype: f.i16(12),
      bitpix: f.i16(14),
      dim: range(8).map((i) => f.i64(16 + 8 * i)),
      intentP1: f.f64(80),
      intentP2: f.f64(88),
      intentP3: f.f64(96),
      pixdim: range(8).map((i) => f.f64(104 + 8 * i)),
      voxOffset: f.i64(168),
      sclSlope: f.f64(176),
      sclInter: f.f64(184),
      calMax: f.f64(192),
      calMin: f.f64(200),
      sliceDuration: f.f64(208),
      toffset: f.f64(216),
      sliceStart: f.i64(224),
      sliceEnd: f.i64(232),
      descrip: f.str(240, 80),
      auxFile: f.str(320, 24),
      qformCode: f.i32(344),
      sformCode: f.i32(348),
      ...orientation(f.f64, 352, 8),
      sliceCode: f.i32(496),
      xyztUnits: f.i32(500),
      intentCode: f.i32(504),
      intentName: f.str(508, 16),
      dimInfo: f.i8(524),
    };
    hdrEnd = 540;
  }
  checkShape(h, where);
  const extensions = parseExtensions(bytes, hdrEnd, h.pair ? bytes.length : Math.min(bytes.length, h.voxOffset), le, where);
  return { ...h, extensions, raw: bytes.slice(0, hdrEnd) };
}

function checkShape(h: Omit<NiftiHeader, 'extensions' | 'raw'>, where: string): void {
  const nd = h.dim[0];
  if (!(nd >= 1 && nd <= 7)) throw new InputError(where, `dim[0] is ${nd}: the number of dimensions must be 1..7`);
  for (let i = 1; i <= nd; i++) {
    if (!(h.dim[i] >= 1)) throw new InputError(where, `dim[${i}] is ${h.dim[i]}: dimensions must be positive`);
  }
  const dt = datatypeInfo(h.datatype);
  if (!dt) throw new InputError(where, `unsupported datatype code ${h.datatype}`);
  if (h.bitpix !== dt.bytes * 8) throw new InputError(where, `bitpix ${h.bitpix} does not match datatype ${dt.name} (${dt.bytes * 8} bits)`);
  if (!Number.isFinite(h.voxOffset) || h.voxOffset < 0 || !Number.isInteger(h.voxOffset)) {
    throw new InputError(where, `vox_offset ${h.voxOffset} is not a non-negative whole number of bytes`);
  }
  if (!h.pair && h.voxOffset < h.sizeofHdr) {
    throw new InputError(where, `vox_offset ${h.voxOffset} lies inside the ${h.sizeofHdr}-byte header`);
  }
  const voxels = shapeOf(h).reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(voxels * dt.bytes)) throw new InputError(where, `image of ${voxels} voxels is too large to address`);
}

function parseExtensions(bytes: Uint8Array, start: number, end: number, le: boolean, where: string): NiftiExtension[] {
  // The 4 extender bytes may be absent in a header-only file that ends at 348.
  if (end < start + 4 || bytes.length < start + 4 || bytes[start] === 0) return [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: NiftiExtension[] = [];
  let o = start + 4;
  while (o + 8 <= end) {
    const size = dv.getInt32(o, le);
    const code = dv.getInt32(o + 4, le);
    if (size < 8 || o + size > end) {
      throw new InputError(where, `extension ${out.length + 1} at byte ${o} has size ${size}, which runs past the header end (${end})`);
    }
    out.push({ code, size, data: bytes.slice(o + 8, o + size) });
    o += size;
  }
  return out;
}

/** Image extent as exactly 5 numbers (x, y, z, t, u), 1 for absent axes. */
export function dim5(h: Pick<NiftiHeader, 'dim'>): number[] {
  const nd = h.dim[0];
  return [1, 2, 3, 4, 5].map((i) => (i <= nd ? h.dim[i] : 1));
}

/** The image shape as stored: dim[1..dim[0]] (x fastest; up to 7 axes, e.g. CIFTI). */
export function shapeOf(h: Pick<NiftiHeader, 'dim'>): number[] {
  return h.dim.slice(1, 1 + h.dim[0]);
}

/** Number of voxels over all dim[0] axes. */
export function voxelCount(h: Pick<NiftiHeader, 'dim'>): number {
  return shapeOf(h).reduce((a, b) => a * b, 1);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Human names of the xyzt_units bits: [space, time]. */
export function unitNames(xyztUnits: number): { space: string; time: string } {
  const s = xyztUnits & 0x07;
  const t = xyztUnits & 0x38;
  const space = ({ 0: 'unknown', 1: 'm', 2: 'mm', 3: 'um' } as Record<number, string>)[s] ?? 'unknown';
  const time = ({ 0: 'unknown', 8: 's', 16: 'ms', 24: 'us', 32: 'Hz', 40: 'ppm', 48: 'rad/s' } as Record<number, string>)[t] ?? 'unknown';
  return { space, time };
}
