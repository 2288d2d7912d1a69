/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0): C-order arrays of
 * float32/64, int8/16/32/64, uint8/16/32/64 and bool, in either byte order on
 * read; little-endian with a 64-byte aligned header on write, version 1.0
 * unless the header needs the 4-byte length of 2.0.
 *
 * Layout: "\x93NUMPY", major, minor, header length (uint16 LE for v1, uint32
 * LE for v2/v3), then a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded with
 * spaces and a final newline, then the raw data.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { InputError } from '../core/errors.js';
import { writeChunksAtomic } from '../core/atomic.js';
import { openForRead, readFully } from './fd.js';
import { SummaryAccumulator, type DataSummary } from '../core/summary.js';

export type NpyDtype = 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'bool';

export type NpyData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

export interface NpyHeader {
  /** Format version, e.g. [1, 0]. */
  version: [number, number];
  dtype: NpyDtype;
  /** Byte order of the data on disk. */
  byteOrder: 'little' | 'big';
  shape: number[];
  /** Always 'C' (Fortran-order files are refused). */
  order: 'C';
  /** Number of elements (product of shape; 1 for a 0-d array). */
  size: number;
  /** Byte offset of the data in the file. */
  dataOffset: number;
}

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  /** Elements in C order, native byte order; bool is a Uint8Array of 0/1. */
  data: NpyData;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

interface DtypeInfo {
  name: NpyDtype;
  size: number;
  ctor: new (buf: ArrayBuffer, off: number, len: number) => NpyData;
}
const KINDS: Record<string, DtypeInfo> = {
  f4: { name: 'float32', size: 4, ctor: Float32Array },
  f8: { name: 'float64', size: 8, ctor: Float64Array },
  i1: { name: 'int8', size: 1, ctor: Int8Array },
  i2: { name: 'int16', size: 2, ctor: Int16Array },
  i4: { name: 'int32', size: 4, ctor: Int32Array },
  i8: { name: 'int64', size: 8, ctor: BigInt64Array },
  u1: { name: 'uint8', size: 1, ctor: Uint8Array },
  u2: { name: 'uint16', size: 2, ctor: Uint16Array },
  u4: { name: 'uint32', size: 4, ctor: Uint32Array },
  u8: { name: 'uint64', size: 8, ctor: BigUint64Array },
  b1: { name: 'bool', size: 1, ctor: Uint8Array },
};
const CODE_OF: Record<NpyDtype, string> = {
  float32: 'f4',
  float64: 'f8',
  int8: 'i1',
  int16: 'i2',
  int32: 'i4',
  int64: 'i8',
  uint8: 'u1',
  uint16: 'u2',
  uint32: 'u4',
  uint64: 'u8',
  bool: 'b1',
};

// ---- a parser for the small Python-literal subset numpy writes in headers ----

export type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

/** Parses the Python-literal subset of npy headers (dicts, tuples, lists, strings, ints, booleans, None); also used by npy-records.ts for record dtypes. */
export function parsePyLiteral(src: string, file: string): PyValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new InputError(file, `malformed npy header (${what} at character ${i}): ${JSON.stringify(src.slice(0, 120))}`);
  };
  const ws = () => {
    while (i < src.length && /\s/.test(src[i])) i++;
  };
  const value = (depth: number): PyValue => {
    if (depth > 8) fail('nesting too deep');
    ws();
    const c = src[i];
    if (c === '{' || c === '(' || c === '[') {
      const close = c === '{' ? '}' : c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      const obj: { [k: string]: PyValue } = {};
      for (;;) {
        ws();
        if (i >= src.length) fail(`missing '${close}'`);
        if (src[i] === close) {
          i++;
          break;
        }
        if (c === '{') {
          const k = value(depth + 1);
          if (typeof k !== 'string') fail('dict key is not a string');
          ws();
          if (src[i] !== ':') fail("expected ':'");
          i++;
          obj[k as string] = value(depth + 1);
        } else {
          items.push(value(depth + 1));
        }
        ws();
        if (src[i] === ',') i++;
        else if (src[i] !== close) fail(`expected ',' or '${close}'`);
      }
      return c === '{' ? obj : items;
    }
    if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string');
      const s = src.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(-?\d+)L?|^(True|False|None)/.exec(src.slice(i, i + 32));
    if (!m) return fail('unexpected token');
    i += m[0].length;
    if (m[2] === 'True') return true;
    if (m[2] === 'False') return false;
    if (m[2] === 'None') return null;
    return Number(m[1]);
  };
  const v = value(0);
  ws();
  if (i !== src.length) fail('trailing characters');
  return v;
}

function parseHeaderBytes(head: Buffer, fileSize: number, file: string): NpyHeader {
  if (head.length < 10) throw new InputError(file, `truncated: ${head.length} bytes is too short for an npy header`);
  if (!head.subarray(0, 6).equals(MAGIC)) throw new InputError(file, 'not an npy file (magic "\\x93NUMPY" missing)');
  const major = head[6];
  const minor = head[7];
  if (major < 1 || major > 3) throw new InputError(file, `unsupported npy format version ${major}.${minor}`);
  const lenBytes = major === 1 ? 2 : 4;
  const pre = 8 + lenBytes;
  if (head.length < pre) throw new InputError(file, 'truncated in the npy header length');
  const hlen = major === 1 ? head.readUInt16LE(8) : head.readUInt32LE(8);
  const dataOffset = pre + hlen;
  if (dataOffset > head.length) throw new InputError(file, `truncated: header declares ${hlen} bytes, file has ${Math.max(0, fileSize - pre)}`);
  // v1/v2 headers are latin1, v3 is UTF-8; the keys and values we accept are ASCII either way.
  const text = head.toString(major === 3 ? 'utf8' : 'latin1', pre, dataOffset).trim();
  const dict = parsePyLiteral(text, file);
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) throw new InputError(file, 'npy header is not a dict');
  const descr = dict.descr;
  if (typeof descr !== 'string') throw new InputError(file, 'structured (record) dtypes are not supported; descr must be a simple type string');
  const fortran = dict.fortran_order;
  if (typeof fortran !== 'boolean') throw new InputError(file, "npy header lacks a boolean 'fortran_order'");
  if (fortran) throw new InputError(file, 'Fortran-order (column-major) npy arrays are not supported; save with np.ascontiguousarray');
  const shapeV = dict.shape;
  if (!Array.isArray(shapeV)) throw new InputError(file, "npy header lacks a 'shape' tuple");
  const shape: number[] = [];
  for (const d of shapeV) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new InputError(file, `bad dimension ${JSON.stringify(d)} in shape`);
    shape.push(d);
  }
  const m = /^([<>|=])?([a-z])(\d+)$/.exec(descr);
  const info = m ? KINDS[`${m[2]}${m[3]}`] : undefined;
  if (!m || !info) throw new InputError(file, `unsupported npy dtype '${descr}' (supported: f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1)`);
  const order = m[1] === '>' ? 'big' : 'little';
  const size = shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(size * info.size)) throw new InputError(file, `shape (${shape.join(', ')}) is too large`);
  return { version: [major, minor], dtype: info.name, byteOrder: info.size === 1 ? 'little' : order, shape, order: 'C', size, dataOffset };
}

function headerFromFd(fd: number, size: number, file: string): NpyHeader {
  // 4 KiB covers every header numpy writes for shapes of normal rank; read more only if declared.
  const probe = Buffer.alloc(Math.min(size, 4096));
  readFully(fd, probe, 0);
  if (probe.length >= 12 && probe.subarray(0, 6).equals(MAGIC)) {
    const hlen = probe[6] === 1 ? probe.readUInt16LE(8) : probe.readUInt32LE(8);
    const total = (probe[6] === 1 ? 10 : 12) + hlen;
    if (total > probe.length && total <= size) {
      const full = Buffer.alloc(total);
      readFully(fd, full, 0);
      return parseHeaderBytes(full, size, file);
    }
  }
  return parseHeaderBytes(probe, size, file);
}

/** Header of an .npy file (dtype, shape, byte order, data offset) without reading the data. */
export function readNpyHeader(file: string): NpyHeader {
  const { fd, size } = openForRead(file);
  try {
    return headerFromFd(fd, size, file);
  } finally {
    fs.closeSync(fd);
  }
}

function byteSwap(bytes: Uint8Array, width: number): void {
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/**
 * Read an .npy file. Returns dtype, shape and the elements in C order as a
 * typed array in native byte order (int64/uint64 as BigInt arrays, bool as 0/1 bytes).
 */
export function readNpy(file: string): NpyArray {
  const d = openData(file);
  try {
    return { dtype: d.h.dtype, shape: d.h.shape, data: readElements(d, 0, d.h.size) };
  } finally {
    fs.closeSync(d.fd);
  }
}

interface OpenData {
  fd: number;
  h: NpyHeader;
  info: DtypeInfo;
  nbytes: number;
}

/** Opens `file` and parses its header, checking that all data bytes are present; the caller closes `fd`. */
function openData(file: string): OpenData {
  const { fd, size } = openForRead(file);
  try {
    const h = headerFromFd(fd, size, file);
    const info = KINDS[CODE_OF[h.dtype]];
    const nbytes = h.size * info.size;
    if (h.dataOffset + nbytes > size) {
      throw new InputError(
        file,
        `truncated: shape (${h.shape.join(', ')}) of ${h.dtype} needs ${nbytes} data bytes, file has ${Math.max(0, size - h.dataOffset)}`,
      );
    }
    return { fd, h, info, nbytes };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** Elements [e0, e0 + n) of an open file as a typed array in native byte order (bool as 0/1 bytes). */
function readElements(d: OpenData, e0: number, n: number): NpyData {
  const { h, info } = d;
  const buf = new ArrayBuffer(n * info.size);
  const bytes = new Uint8Array(buf);
  readFully(d.fd, bytes, h.dataOffset + e0 * info.size);
  if (info.size > 1 && (h.byteOrder === 'big') !== (os.endianness() === 'BE')) byteSwap(bytes, info.size);
  if (h.dtype === 'bool') for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i] !== 0 ? 1 : 0;
  return new info.ctor(buf, 0, n);
}

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof BigUint64Array) return 'uint64';
  return 'uint8';
}

/** The exact header bytes numpy would write: magic, version, length, dict padded to a multiple of 64. */
export function npyHeaderBytes(dtype: NpyDtype, shape: number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const code = CODE_OF[dtype];
  // numpy marks single-byte types as byte-order-less ('|').
  const dict = `{'descr': '${KINDS[code].size === 1 ? '|' : '<'}${code}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let major = 1;
  let pre = 10;
  let total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  if (total - pre > 0xffff) {
    major = 2;
    pre = 12;
    total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  }
  const out = Buffer.alloc(total, 0x20);
  MAGIC.copy(out, 0);
  out[6] = major;
  out[7] = 0;
  if (major === 1) out.writeUInt16LE(total - pre, 8);
  else out.writeUInt32LE(total - pre, 8);
  out.write(dict, pre, 'latin1');
  out[total - 1] = 0x0a;
  return out;
}

/**
 * Write a C-order array as .npy atomically (little-endian, v1.0 header unless
 * it needs v2.0). dtype follows the typed array; pass `{ dtype: 'bool' }` with
 * a Uint8Array of 0/1 for a boolean array. `shape` must multiply to data.length.
 */
export function writeNpy(file: string, data: NpyData, shape: number[], opts: { dtype?: 'bool' } = {}): void {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new InputError(file, `bad dimension ${d} in shape (${shape.join(', ')})`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new InputError(file, `shape (${shape.join(', ')}) holds ${size} elements but data has ${data.length}`);
  let dtype = dtypeOf(data);
  if (opts.dtype === 'bool') {
    if (!(data instanceof Uint8Array)) throw new InputError(file, 'a bool npy array must be given as a Uint8Array of 0/1');
    for (let i = 0; i < data.length; i++) {
      if (data[i] > 1) throw new InputError(file, `bool array holds ${data[i]} at index ${i}; only 0 and 1 are allowed`);
    }
    dtype = 'bool';
  }
  if (os.endianness() !== 'LE') throw new Error('writeNpy assumes a little-endian host');
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  writeChunksAtomic(file, [npyHeaderBytes(dtype, shape), bytes]);
}

/** Summary of the stored values (see DataSummary); 64-bit ints are converted to numbers. */
export type NpySummary = DataSummary;

export interface NpyInfo {
  format: 'npy';
  path: string;
  version: string;
  dtype: NpyDtype;
  byteOrder: 'little' | 'big';
  shape: number[];
  order: 'C';
  size: number;
  /** Size of the data in bytes. */
  bytes: number;
  summary: NpySummary;
}

/** Adds one block of stored values; 64-bit ints go through float64 (exact up to 2^53). */
function addBlock(acc: SummaryAccumulator, data: NpyData): void {
  acc.add(data instanceof BigInt64Array || data instanceof BigUint64Array ? Float64Array.from(data, Number) : data);
}

/** Min/max/mean/sum and nonzero count over non-NaN elements, plus count and NaN count (see DataSummary). */
export function summarizeNpy(data: NpyData): NpySummary {
  const acc = new SummaryAccumulator();
  addBlock(acc, data);
  return acc.result();
}

/**
 * JSON-serialisable description of an .npy file: header fields plus a data
 * summary, read `blockBytes` (default 4 MiB) at a time so memory stays bounded.
 */
export function npyInfo(file: string, opts: { blockBytes?: number } = {}): NpyInfo {
  const d = openData(file);
  try {
    const { h } = d;
    const perBlock = Math.max(1, Math.floor((opts.blockBytes ?? 4 << 20) / d.info.size));
    const acc = new SummaryAccumulator();
    for (let e0 = 0; e0 < h.size; e0 += perBlock) addBlock(acc, readElements(d, e0, Math.min(perBlock, h.size - e0)));
    return {
      format: 'npy',
      path: file,
      version: `${h.version[0]}.${h.version[1]}`,
      dtype: h.dtype,
      byteOrder: h.byteOrder,
      shape: h.shape,
      order: 'C',
      size: h.size,
      bytes: d.nbytes,
      summary: acc.result(),
    };
  } finally {
    fs.closeSync(d.fd);
  }
}
