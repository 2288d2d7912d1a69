/**
 * NumPy record (structured-dtype) `.npy` files, read column by column: the
 * form in which Tuckute et al. 2023 publish the NH2015 voxel and stimulus
 * tables (`voxel_features_meta.npy`: subj_idx, voxel_id, n_reps, hemi,
 * x_ras, y_ras; `neural_stim_meta.npy`: file name and stimulus fields).
 * Plain arrays stay with npy.ts; this module only adds the record layout
 * `{'descr': [('name', '<i8'), ('hemi', 'S2'), …], …}`.
 *
 * Numeric fields become float64 (integers beyond 2^53 lose precision, as
 * numpy's astype(float) does); `S<n>` fields are bytes decoded as latin1 with
 * trailing NULs stripped (numpy's own view of a bytes_ value); `U<n>` fields
 * are UTF-32 code points. Padding fields (`V<n>`, unnamed) are skipped.
 */
import * as fs from 'node:fs';
import { InputError } from '../core/errors.js';
import { openForRead, readFully } from './fd.js';
import { parsePyLiteral, type PyValue } from './npy.js';

export type RecordColumn = Float64Array | string[];

export interface NpyRecords {
  /** Number of records (product of the shape). */
  length: number;
  shape: number[];
  /** Field names in dtype order (padding fields left out). */
  fields: string[];
  columns: Map<string, RecordColumn>;
}

interface FieldLayout {
  name: string;
  kind: 'f' | 'i' | 'u' | 'b' | 'S' | 'U' | 'V';
  size: number;
  big: boolean;
  offset: number;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

function fieldLayout(name: string, descr: string, offset: number, file: string): FieldLayout {
  const m = /^([<>|=])?([fiubSUV])(\d+)$/.exec(descr);
  if (!m) throw new InputError(file, `field '${name}': unsupported record dtype '${descr}' (supported: f i u b S U V)`);
  const kind = m[2] as FieldLayout['kind'];
  const n = Number(m[3]);
  const size = kind === 'U' ? 4 * n : n;
  if ((kind === 'f' && size !== 4 && size !== 8) || ((kind === 'i' || kind === 'u') && ![1, 2, 4, 8].includes(size)) || (kind === 'b' && size !== 1)) {
    throw new InputError(file, `field '${name}': unsupported width in '${descr}'`);
  }
  return { name, kind, size, big: m[1] === '>', offset };
}

/** The record layout of a header's descr: a list of (name, type) or (name, type, shape) tuples; sub-array fields are refused. */
function parseDescr(descr: PyValue, file: string): { fields: FieldLayout[]; itemsize: number } {
  if (!Array.isArray(descr)) throw new InputError(file, "not a record array: 'descr' is a simple type (read it with npy.ts)");
  const fields: FieldLayout[] = [];
  let offset = 0;
  for (const item of descr) {
    if (!Array.isArray(item) || item.length < 2 || typeof item[0] !== 'string' || typeof item[1] !== 'string') {
      throw new InputError(file, `record field ${JSON.stringify(item)}: nested or sub-array fields are not supported`);
    }
    if (item.length > 2) throw new InputError(file, `record field '${item[0]}': sub-array fields are not supported`);
    const f = fieldLayout(item[0], item[1], offset, file);
    fields.push(f);
    offset += f.size;
  }
  return { fields, itemsize: offset };
}

function decodeField(buf: Buffer, n: number, itemsize: number, f: FieldLayout): RecordColumn {
  if (f.kind === 'S' || f.kind === 'U') {
    const out: string[] = new Array<string>(n);
    for (let r = 0; r < n; r++) {
      const at = r * itemsize + f.offset;
      if (f.kind === 'S') {
        let end = at + f.size;
        while (end > at && buf[end - 1] === 0) end--;
        out[r] = buf.toString('latin1', at, end);
      } else {
        const cps: number[] = [];
        for (let c = 0; c < f.size / 4; c++) {
          const cp = f.big ? buf.readUInt32BE(at + 4 * c) : buf.readUInt32LE(at + 4 * c);
          if (cp === 0) break;
          cps.push(cp);
        }
        out[r] = String.fromCodePoint(...cps);
      }
    }
    return out;
  }
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const at = r * itemsize + f.offset;
    const be = f.big;
    switch (`${f.kind}${f.size}`) {
      case 'f4':
        out[r] = be ? buf.readFloatBE(at) : buf.readFloatLE(at);
        break;
      case 'f8':
        out[r] = be ? buf.readDoubleBE(at) : buf.readDoubleLE(at);
        break;
      case 'i1':
        out[r] = buf.readInt8(at);
        break;
      case 'i2':
        out[r] = be ? buf.readInt16BE(at) : buf.readInt16LE(at);
        break;
      case 'i4':
        out[r] = be ? buf.readInt32BE(at) : buf.readInt32LE(at);
        break;
      case 'i8':
        out[r] = Number(be ? buf.readBigInt64BE(at) : buf.readBigInt64LE(at));
        break;
      case 'u1':
        out[r] = buf.readUInt8(at);
        break;
      case 'u2':
        out[r] = be ? buf.readUInt16BE(at) : buf.readUInt16LE(at);
        break;
      case 'u4':
        out[r] = be ? buf.readUInt32BE(at) : buf.readUInt32LE(at);
        break;
      case 'u8':
        out[r] = Number(be ? buf.readBigUInt64BE(at) : buf.readBigUInt64LE(at));
        break;
      default:
        out[r] = buf[at] !== 0 ? 1 : 0; // b1
    }
  }
  return out;
}

/** Reads a record-dtype .npy file into one column per named field. */
export function readNpyRecords(file: string): NpyRecords {
  const { fd, size } = openForRead(file);
  try {
    const pre = Buffer.alloc(Math.min(size, 12));
    readFully(fd, pre, 0);
    if (pre.length < 10 || !pre.subarray(0, 6).equals(MAGIC)) throw new InputError(file, 'not an npy file (magic "\\x93NUMPY" missing)');
    const major = pre[6];
    if (major < 1 || major > 3) throw new InputError(file, `unsupported npy format version ${major}.${pre[7]}`);
    const lenBytes = major === 1 ? 2 : 4;
    if (pre.length < 8 + lenBytes) throw new InputError(file, 'truncated in the npy header length');
    const hlen = major === 1 ? pre.readUInt16LE(8) : pre.readUInt32LE(8);
    const dataOffset = 8 + lenBytes + hlen;
    if (dataOffset > size) throw new InputError(file, `truncated: header declares ${hlen} bytes`);
    const head = Buffer.alloc(hlen);
    readFully(fd, head, 8 + lenBytes);
    const dict = parsePyLiteral(head.toString(major === 3 ? 'utf8' : 'latin1').trim(), file);
    if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) throw new InputError(file, 'npy header is not a dict');
    if (dict.fortran_order !== false) throw new InputError(file, 'Fortran-order record arrays are not supported');
    const shapeV = dict.shape;
    if (!Array.isArray(shapeV) || !shapeV.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0))
      throw new InputError(file, "npy header lacks a valid 'shape' tuple");
    const shape = shapeV as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const { fields, itemsize } = parseDescr(dict.descr, file);
    const nbytes = n * itemsize;
    if (dataOffset + nbytes > size)
      throw new InputError(file, `truncated: ${n} records of ${itemsize} bytes need ${nbytes} data bytes, file has ${size - dataOffset}`);
    const buf = Buffer.alloc(nbytes);
    readFully(fd, buf, dataOffset);
    const named = fields.filter((f) => f.kind !== 'V' && f.name !== '');
    const columns = new Map<string, RecordColumn>();
    for (const f of named) columns.set(f.name, decodeField(buf, n, itemsize, f));
    return { length: n, shape, fields: named.map((f) => f.name), columns };
  } finally {
    fs.closeSync(fd);
  }
}

/** A numeric column, or an InputError naming the file and field. */
export function numericColumn(rec: NpyRecords, name: string, file: string): Float64Array {
  const c = rec.columns.get(name);
  if (c === undefined) throw new InputError(file, `no field '${name}' (fields: ${rec.fields.join(', ')})`);
  if (!(c instanceof Float64Array)) throw new InputError(file, `field '${name}' is text, expected numbers`);
  return c;
}

/** A text column, or an InputError naming the file and field. */
export function textColumn(rec: NpyRecords, name: string, file: string): string[] {
  const c = rec.columns.get(name);
  if (c === undefined) throw new InputError(file, `no field '${name}' (fields: ${rec.fields.join(', ')})`);
  if (c instanceof Float64Array) throw new InputError(file, `field '${name}' holds numbers, expected text`);
  return c;
}
